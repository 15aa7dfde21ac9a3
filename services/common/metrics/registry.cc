#include "services/common/metrics/registry.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace annals::metrics {
namespace {

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "annals metrics: %s\n", message.c_str());
  std::abort();
}

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// name{a="x",b="y"} value\n, with `extra` (already escaped) appended to the
// labels.
void AppendSample(std::string& out, absl::string_view name,
                  const Labels& labels, absl::string_view extra_name,
                  absl::string_view extra_value, double value) {
  absl::StrAppend(&out, name);
  if (!labels.empty() || !extra_name.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [label, label_value] : labels) {
      if (!first) out += ',';
      first = false;
      absl::StrAppend(&out, label, "=\"", EscapeLabelValue(label_value), "\"");
    }
    if (!extra_name.empty()) {
      if (!first) out += ',';
      absl::StrAppend(&out, extra_name, "=\"", extra_value, "\"");
    }
    out += '}';
  }
  absl::StrAppend(&out, " ", FormatValue(value), "\n");
}

void AppendHeader(std::string& out, absl::string_view name,
                  absl::string_view help, MetricType type) {
  absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(help), "\n");
  absl::StrAppend(&out, "# TYPE ", name, " ", TypeName(type), "\n");
}

void CheckLabelNames(const std::string& metric,
                     const std::vector<std::string>& label_names,
                     MetricType type) {
  std::set<std::string> seen;
  for (const std::string& label : label_names) {
    if (!IsValidLabelName(label)) {
      Fail(absl::StrCat(metric, ": invalid label name \"", label, "\""));
    }
    if (type == MetricType::kHistogram && label == "le") {
      Fail(absl::StrCat(metric, ": a histogram cannot have a label \"le\""));
    }
    if (!seen.insert(label).second) {
      Fail(absl::StrCat(metric, ": label \"", label, "\" given twice"));
    }
  }
}

}  // namespace

bool IsValidMetricName(absl::string_view name) {
  if (name.empty()) return false;
  if (!IsNameStart(name[0]) && name[0] != ':') return false;
  for (char c : name) {
    if (!IsNameStart(c) && !IsDigit(c) && c != ':') return false;
  }
  return true;
}

bool IsValidLabelName(absl::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  if (absl::StartsWith(name, "__")) return false;
  for (char c : name) {
    if (!IsNameStart(c) && !IsDigit(c)) return false;
  }
  return true;
}

std::string EscapeHelp(absl::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == 0) return "0";  // also -0
  // Shortest round-trip digits; plain notation for everyday magnitudes
  // ("0.0005" rather than "5e-04"), exponent notation beyond.
  char buffer[512];
  double magnitude = std::fabs(value);
  std::to_chars_result result =
      magnitude >= 1e-6 && magnitude < 1e15
          ? std::to_chars(buffer, buffer + sizeof(buffer), value,
                          std::chars_format::fixed)
          : std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  if (!(start > 0) || !(factor > 1) || count < 1) {
    Fail("ExponentialBuckets: needs start > 0, factor > 1, count >= 1");
  }
  std::vector<double> bounds;
  double bound = start;
  for (int i = 0; i < count; ++i) {
    bounds.push_back(bound);
    bound *= factor;
  }
  return bounds;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double>* const kBounds =
      new std::vector<double>{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return *kBounds;
}

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(*bounds),
      buckets_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double value) {
  if (std::isnan(value)) return;
  // Few buckets: a linear scan beats a binary search's branches.
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.cumulative.reserve(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(total);
  }
  snapshot.count = total;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

namespace internal {

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {
  if (!IsValidMetricName(name_)) {
    Fail(absl::StrCat("invalid metric name \"", name_, "\""));
  }
  CheckLabelNames(name_, label_names_, type_);
}

void FamilyBase::CheckLabelCount(const std::vector<std::string>& values) const {
  if (values.size() != label_names_.size()) {
    Fail(absl::StrCat(name_, ": ", values.size(), " label values for ",
                      label_names_.size(), " labels"));
  }
}

Labels FamilyBase::Zip(const std::vector<std::string>& values) const {
  Labels labels;
  labels.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    labels.emplace_back(label_names_[i], values[i]);
  }
  return labels;
}

}  // namespace internal

Counter& CounterFamily::WithLabels(const std::vector<std::string>& values) {
  CheckLabelCount(values);
  return children_.Find(values, [] { return std::make_unique<Counter>(); });
}

void CounterFamily::RenderSamples(std::string& out) const {
  children_.ForEach(
      [&](const std::vector<std::string>& values, const Counter& counter) {
        AppendSample(out, name(), Zip(values), "", "",
                     static_cast<double>(counter.value()));
      });
}

Gauge& GaugeFamily::WithLabels(const std::vector<std::string>& values) {
  CheckLabelCount(values);
  return children_.Find(values, [] { return std::make_unique<Gauge>(); });
}

void GaugeFamily::RenderSamples(std::string& out) const {
  children_.ForEach(
      [&](const std::vector<std::string>& values, const Gauge& gauge) {
        AppendSample(out, name(), Zip(values), "", "", gauge.value());
      });
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names,
                                 std::vector<double> bounds)
    : FamilyBase(std::move(name), std::move(help), MetricType::kHistogram,
                 std::move(label_names)),
      bounds_(std::move(bounds)) {
  if (bounds_.empty()) Fail(absl::StrCat(this->name(), ": no buckets"));
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1])) {
      Fail(absl::StrCat(this->name(),
                        ": bucket bounds must be finite and increasing"));
    }
  }
}

Histogram& HistogramFamily::WithLabels(const std::vector<std::string>& values) {
  CheckLabelCount(values);
  return children_.Find(
      values, [this] { return std::make_unique<Histogram>(&bounds_); });
}

void HistogramFamily::RenderSamples(std::string& out) const {
  const std::string bucket_name = absl::StrCat(name(), "_bucket");
  const std::string sum_name = absl::StrCat(name(), "_sum");
  const std::string count_name = absl::StrCat(name(), "_count");
  children_.ForEach(
      [&](const std::vector<std::string>& values, const Histogram& histogram) {
        Labels labels = Zip(values);
        Histogram::Snapshot snapshot = histogram.Read();
        for (size_t i = 0; i < bounds_.size(); ++i) {
          AppendSample(out, bucket_name, labels, "le", FormatValue(bounds_[i]),
                       static_cast<double>(snapshot.cumulative[i]));
        }
        AppendSample(out, bucket_name, labels, "le", "+Inf",
                     static_cast<double>(snapshot.count));
        AppendSample(out, sum_name, labels, "", "", snapshot.sum);
        AppendSample(out, count_name, labels, "", "",
                     static_cast<double>(snapshot.count));
      });
}

void Registry::CheckNewName(const std::string& name) const {
  if (families_.count(name) != 0) {
    Fail(absl::StrCat("metric \"", name, "\" registered twice"));
  }
}

CounterFamily& Registry::AddCounter(std::string name, std::string help,
                                    std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  CheckNewName(name);
  auto family = std::make_unique<CounterFamily>(
      name, std::move(help), MetricType::kCounter, std::move(label_names));
  CounterFamily& result = *family;
  families_[name] = std::move(family);
  // An unlabelled metric is rendered (at zero) from the start.
  if (result.label_names().empty()) result.WithLabels({});
  return result;
}

GaugeFamily& Registry::AddGauge(std::string name, std::string help,
                                std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  CheckNewName(name);
  auto family = std::make_unique<GaugeFamily>(
      name, std::move(help), MetricType::kGauge, std::move(label_names));
  GaugeFamily& result = *family;
  families_[name] = std::move(family);
  // An unlabelled metric is rendered (at zero) from the start.
  if (result.label_names().empty()) result.WithLabels({});
  return result;
}

HistogramFamily& Registry::AddHistogram(std::string name, std::string help,
                                        std::vector<double> bounds,
                                        std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  CheckNewName(name);
  auto family = std::make_unique<HistogramFamily>(
      name, std::move(help), std::move(label_names), std::move(bounds));
  HistogramFamily& result = *family;
  families_[name] = std::move(family);
  // An unlabelled metric is rendered (at zero) from the start.
  if (result.label_names().empty()) result.WithLabels({});
  return result;
}

void Registry::AddCollector(Collector collector) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(collector));
}

void Registry::AddGaugeCallback(std::string name, std::string help,
                                std::function<double()> read) {
  AddCollector([name = std::move(name), help = std::move(help),
                read = std::move(read)](std::vector<CollectedSample>& out) {
    out.push_back({name, help, MetricType::kGauge, {}, read()});
  });
}

void Registry::AddCounterCallback(std::string name, std::string help,
                                  std::function<double()> read) {
  AddCollector([name = std::move(name), help = std::move(help),
                read = std::move(read)](std::vector<CollectedSample>& out) {
    out.push_back({name, help, MetricType::kCounter, {}, read()});
  });
}

std::string Registry::RenderText() const {
  // Families are never removed, so pointers taken under the lock stay valid;
  // collectors run without it.
  std::map<std::string, const internal::FamilyBase*> families;
  std::vector<Collector> collectors;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, family] : families_) families[name] = family.get();
    collectors = collectors_;
  }
  // Collected samples grouped into families by name, in first-seen order
  // within each family.
  struct Collected {
    std::string help;
    MetricType type;
    std::vector<const CollectedSample*> samples;
  };
  std::vector<CollectedSample> samples;
  for (const Collector& collect : collectors) collect(samples);
  std::map<std::string, Collected> collected;
  for (const CollectedSample& sample : samples) {
    if (!IsValidMetricName(sample.name) || families.count(sample.name) != 0 ||
        sample.type == MetricType::kHistogram) {
      continue;
    }
    bool labels_ok = true;
    for (const auto& [label, value] : sample.labels) {
      labels_ok = labels_ok && IsValidLabelName(label);
    }
    if (!labels_ok) continue;
    auto [it, inserted] = collected.try_emplace(
        sample.name, Collected{sample.help, sample.type, {}});
    if (!inserted && it->second.type != sample.type) continue;
    it->second.samples.push_back(&sample);
  }

  std::string out;
  auto family = families.begin();
  auto group = collected.begin();
  while (family != families.end() || group != collected.end()) {
    if (group == collected.end() ||
        (family != families.end() && family->first < group->first)) {
      const internal::FamilyBase& base = *family->second;
      AppendHeader(out, base.name(), base.help(), base.type());
      base.RenderSamples(out);
      ++family;
    } else {
      AppendHeader(out, group->first, group->second.help, group->second.type);
      for (const CollectedSample* sample : group->second.samples) {
        AppendSample(out, sample->name, sample->labels, "", "", sample->value);
      }
      ++group;
    }
  }
  return out;
}

}  // namespace annals::metrics
