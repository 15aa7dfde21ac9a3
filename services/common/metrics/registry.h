// Metrics for the Annals services: counters, gauges and histograms with
// labels, and their rendering in the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// A Registry owns metric families. Code that records registers a family once
// (at start-up) and keeps the returned reference; recording is then a few
// relaxed atomic operations. Values that already live elsewhere (a sequence
// number, a storage figure) are read at scrape time by a collector instead
// of being copied on every change.
//
//   metrics::Registry registry;
//   metrics::CounterFamily& requests = registry.AddCounter(
//       "annals_requests_total", "Requests received.", {"method"});
//   metrics::Counter& gets = requests.WithLabels({"GetEntity"});
//   gets.Increment();
//   registry.AddGaugeCallback("annals_head_sequence", "Last sequence.",
//                             [&] { return catalog.head_sequence(); });
//   std::string text = registry.RenderText();
//
// Misuse that is a programming error -- an invalid metric or label name, a
// name registered twice, the wrong number of label values -- aborts with a
// message (these happen at start-up, on fixed names). Values produced by
// collectors at scrape time are data: an invalid one is skipped.
//
// Thread safety: everything is safe to call concurrently. Registry and
// families must outlive every reference they hand out.
#ifndef ANNALS_SERVICES_COMMON_METRICS_REGISTRY_H_
#define ANNALS_SERVICES_COMMON_METRICS_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace annals::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// Label name/value pairs of one sample, in the order they are rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

// A monotonically increasing count. Starts at zero.
class Counter {
 public:
  void Increment(uint64_t amount = 1) {
    value_.fetch_add(amount, std::memory_order_relaxed);
  }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down. Starts at zero.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount) {
    value_.fetch_add(amount, std::memory_order_relaxed);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into buckets with fixed upper bounds (inclusive, as
// Prometheus's `le`), plus their sum. The +Inf bucket is implicit.
class Histogram {
 public:
  // `bounds` must be strictly increasing and finite, and outlive this.
  explicit Histogram(const std::vector<double>* bounds);

  // Records `value` in the first bucket whose bound is >= value (the +Inf
  // bucket if none). NaN is ignored.
  void Observe(double value);

  struct Snapshot {
    // cumulative[i]: observations <= bounds[i]; the last entry (one more than
    // bounds) is the +Inf bucket and equals `count`.
    std::vector<uint64_t> cumulative;
    uint64_t count = 0;
    double sum = 0;
  };
  // A reading. Under concurrent Observe() calls the buckets and `count` stay
  // consistent with each other (count is their total); `sum` may include an
  // observation the buckets do not yet show, or miss one they do.
  Snapshot Read() const;

 private:
  const std::vector<double>& bounds_;
  // Per bucket (not cumulative), bounds_.size() + 1 of them.
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
};

// Bucket bounds start, start*factor, ... (`count` of them). Requires
// start > 0, factor > 1, count >= 1.
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// Bounds for request latencies in seconds: 0.5 ms to 10 s.
const std::vector<double>& LatencyBuckets();

namespace internal {
// What every family shares: identity, and rendering of its samples.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type,
             std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends the sample lines (no HELP/TYPE) to `out`.
  virtual void RenderSamples(std::string& out) const = 0;

 protected:
  // Aborts unless `values` has one value per label name.
  void CheckLabelCount(const std::vector<std::string>& values) const;
  Labels Zip(const std::vector<std::string>& values) const;

 private:
  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
};

// The metrics of one family by label values, created on first use.
template <typename Metric>
class Children {
 public:
  // Returns the metric for `values`, creating it with `make` if absent.
  template <typename Make>
  Metric& Find(const std::vector<std::string>& values, const Make& make) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = children_.find(values);
      if (it != children_.end()) return *it->second;
    }
    absl::MutexLock lock(&mu_);
    std::unique_ptr<Metric>& child = children_[values];
    if (child == nullptr) child = make();
    return *child;
  }

  // Calls `visit(values, metric)` for each child, in label-value order.
  template <typename Visit>
  void ForEach(const Visit& visit) const {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [values, metric] : children_) visit(values, *metric);
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_
      ABSL_GUARDED_BY(mu_);
};
}  // namespace internal

// Counters sharing a name and label names.
class CounterFamily final : public internal::FamilyBase {
 public:
  using FamilyBase::FamilyBase;
  // The counter for these label values, one per label name in order
  // (aborts otherwise); created at zero on first use. Valid as long as the
  // family.
  Counter& WithLabels(const std::vector<std::string>& values);
  void RenderSamples(std::string& out) const override;

 private:
  internal::Children<Counter> children_;
};

// Gauges sharing a name and label names.
class GaugeFamily final : public internal::FamilyBase {
 public:
  using FamilyBase::FamilyBase;
  // As CounterFamily::WithLabels.
  Gauge& WithLabels(const std::vector<std::string>& values);
  void RenderSamples(std::string& out) const override;

 private:
  internal::Children<Gauge> children_;
};

// Histograms sharing a name, label names and bucket bounds.
class HistogramFamily final : public internal::FamilyBase {
 public:
  HistogramFamily(std::string name, std::string help,
                  std::vector<std::string> label_names,
                  std::vector<double> bounds);
  // As CounterFamily::WithLabels.
  Histogram& WithLabels(const std::vector<std::string>& values);
  void RenderSamples(std::string& out) const override;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  internal::Children<Histogram> children_;
};

// A value read by a collector at scrape time.
struct CollectedSample {
  // Metric name; samples sharing a name form one family, which takes the
  // help and type of its first sample.
  std::string name;
  std::string help;
  // kCounter or kGauge.
  MetricType type = MetricType::kGauge;
  Labels labels;
  double value = 0;
};
using Collector = std::function<void(std::vector<CollectedSample>& out)>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registers a family. `name` must match [a-zA-Z_:][a-zA-Z0-9_:]* and be
  // new to this registry; label names must match [a-zA-Z_][a-zA-Z0-9_]*,
  // not start with "__", and (for histograms) not be "le". Histogram
  // `bounds` must be non-empty, finite and strictly increasing. Aborts
  // otherwise. The family lives as long as the registry.
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<double> bounds,
                                std::vector<std::string> label_names = {});

  // Adds a collector, called on every RenderText() on the rendering thread
  // (concurrent renders call it concurrently); whatever it captures must
  // stay valid for as long as the registry is rendered. Its samples with an
  // invalid name or label name, a type other than counter or gauge, or a name
  // registered as a family are skipped.
  void AddCollector(Collector collector);
  // One unlabelled gauge, or counter, read by `read` at scrape time.
  void AddGaugeCallback(std::string name, std::string help,
                        std::function<double()> read);
  void AddCounterCallback(std::string name, std::string help,
                          std::function<double()> read);

  // Every family and collected sample in the text exposition format 0.0.4,
  // families sorted by name, each with its # HELP and # TYPE lines, and
  // samples within a family sorted by label values (collected ones in the
  // order collected). Unlabelled families show their value from the start;
  // labelled ones show a sample per label values used.
  std::string RenderText() const;

 private:
  void CheckNewName(const std::string& name) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<internal::FamilyBase>> families_
      ABSL_GUARDED_BY(mu_);
  std::vector<Collector> collectors_ ABSL_GUARDED_BY(mu_);
};

// The Content-Type of RenderText()'s output.
inline constexpr absl::string_view kTextContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Pieces of the text format, exposed for tests.
//
// Whether `name` is a valid metric name / label name.
bool IsValidMetricName(absl::string_view name);
bool IsValidLabelName(absl::string_view name);
// HELP text: backslash and newline escaped.
std::string EscapeHelp(absl::string_view help);
// Label value: backslash, double quote and newline escaped.
std::string EscapeLabelValue(absl::string_view value);
// A sample value: shortest round-trip decimal ("1", "0.25", "1e+21"), or
// "+Inf", "-Inf", "NaN".
std::string FormatValue(double value);

}  // namespace annals::metrics

#endif  // ANNALS_SERVICES_COMMON_METRICS_REGISTRY_H_
