#include "services/common/metrics/registry.h"

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ops/metrics/scrape.h"
#include "tests/testing/status_matchers.h"

namespace annals::metrics {
namespace {

using ::annals::testing::Exposition;
using ::annals::testing::ParseExposition;
using ::testing::HasSubstr;

Exposition Parse(const Registry& registry) {
  absl::StatusOr<Exposition> parsed = ParseExposition(registry.RenderText());
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << registry.RenderText();
  return parsed.ok() ? *parsed : Exposition();
}

TEST(RegistryTest, EmptyRegistryRendersNothing) {
  Registry registry;
  EXPECT_EQ(registry.RenderText(), "");
}

TEST(RegistryTest, CounterRendersHelpTypeAndValue) {
  Registry registry;
  CounterFamily& family =
      registry.AddCounter("annals_things_total", "Things done.");
  family.WithLabels({}).Increment();
  family.WithLabels({}).Increment(2);
  EXPECT_EQ(registry.RenderText(),
            "# HELP annals_things_total Things done.\n"
            "# TYPE annals_things_total counter\n"
            "annals_things_total 3\n");
}

TEST(RegistryTest, UnlabelledMetricIsRenderedAtZeroBeforeUse) {
  Registry registry;
  registry.AddGauge("annals_level", "A level.");
  registry.AddCounter("annals_events_total", "Events.", {"kind"});
  Exposition parsed = Parse(registry);
  EXPECT_EQ(parsed.Value("annals_level"), 0);
  // A labelled family has no series until a label value is used.
  EXPECT_EQ(parsed.types.at("annals_events_total"), "counter");
  EXPECT_FALSE(parsed.Has("annals_events_total"));
}

TEST(RegistryTest, LabelledChildrenAreSeparateAndSortedByLabelValues) {
  Registry registry;
  CounterFamily& family =
      registry.AddCounter("annals_calls_total", "Calls.", {"method", "code"});
  family.WithLabels({"Get", "OK"}).Increment(5);
  family.WithLabels({"Create", "ABORTED"}).Increment();
  family.WithLabels({"Get", "NOT_FOUND"}).Increment(2);
  // The same label values give the same counter.
  EXPECT_EQ(&family.WithLabels({"Get", "OK"}),
            &family.WithLabels({"Get", "OK"}));
  EXPECT_EQ(registry.RenderText(),
            "# HELP annals_calls_total Calls.\n"
            "# TYPE annals_calls_total counter\n"
            "annals_calls_total{method=\"Create\",code=\"ABORTED\"} 1\n"
            "annals_calls_total{method=\"Get\",code=\"NOT_FOUND\"} 2\n"
            "annals_calls_total{method=\"Get\",code=\"OK\"} 5\n");
}

TEST(RegistryTest, FamiliesAreSortedByName) {
  Registry registry;
  registry.AddGauge("b_gauge", "B.");
  registry.AddCounter("a_total", "A.");
  registry.AddGaugeCallback("ab_callback", "AB.", [] { return 7; });
  std::string text = registry.RenderText();
  size_t a = text.find("# HELP a_total");
  size_t ab = text.find("# HELP ab_callback");
  size_t b = text.find("# HELP b_gauge");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(ab, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_LT(a, ab);
  EXPECT_LT(ab, b);
  EXPECT_EQ(Parse(registry).Value("ab_callback"), 7);
}

TEST(RegistryTest, GaugeSetsAndAdds) {
  Registry registry;
  Gauge& gauge = registry.AddGauge("annals_queue", "Queue.").WithLabels({});
  gauge.Set(10);
  gauge.Add(-2.5);
  EXPECT_EQ(gauge.value(), 7.5);
  EXPECT_THAT(registry.RenderText(), HasSubstr("\nannals_queue 7.5\n"));
}

TEST(RegistryTest, LabelValuesAreEscaped) {
  Registry registry;
  registry.AddCounter("annals_odd_total", "Odd.", {"value"})
      .WithLabels({"back\\slash \"quoted\"\nnew line"})
      .Increment();
  EXPECT_THAT(registry.RenderText(),
              HasSubstr("annals_odd_total{value=\"back\\\\slash "
                        "\\\"quoted\\\"\\nnew line\"} 1\n"));
  // And the escaping reads back as the original value.
  Exposition parsed = Parse(registry);
  EXPECT_EQ(parsed.Sum("annals_odd_total"), 1);
}

TEST(RegistryTest, HelpIsEscapedButQuotesAreKept) {
  Registry registry;
  registry.AddGauge("annals_help", "Line one\nC:\\path \"as is\"");
  EXPECT_THAT(
      registry.RenderText(),
      HasSubstr("# HELP annals_help Line one\\nC:\\\\path \"as is\"\n"));
}

TEST(RegistryTest, EscapeFunctions) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue("a\"b"), "a\\\"b");
  EXPECT_EQ(EscapeLabelValue("a\\b"), "a\\\\b");
  EXPECT_EQ(EscapeLabelValue("a\nb"), "a\\nb");
  EXPECT_EQ(EscapeHelp("a\"b"), "a\"b");
  EXPECT_EQ(EscapeHelp("a\\b\nc"), "a\\\\b\\nc");
}

TEST(RegistryTest, ValuesAreFormattedForPrometheus) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(-0.0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(-3.5), "-3.5");
  EXPECT_EQ(FormatValue(0.0005), "0.0005");
  EXPECT_EQ(FormatValue(123456.789), "123456.789");
  EXPECT_EQ(FormatValue(1e21), "1e+21");
  EXPECT_EQ(FormatValue(1.5e-9), "1.5e-09");
  EXPECT_EQ(FormatValue(9007199254740993.0), "9007199254740992");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(RegistryTest, NameValidation) {
  EXPECT_TRUE(IsValidMetricName("annals_x_total"));
  EXPECT_TRUE(IsValidMetricName("job:rate5m"));
  EXPECT_TRUE(IsValidMetricName("_x"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("9lives"));
  EXPECT_FALSE(IsValidMetricName("with-dash"));
  EXPECT_FALSE(IsValidMetricName("with space"));
  EXPECT_TRUE(IsValidLabelName("grpc_code"));
  EXPECT_FALSE(IsValidLabelName("__reserved"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("1a"));
  EXPECT_FALSE(IsValidLabelName(""));
}

TEST(RegistryDeathTest, InvalidRegistrationsAbort) {
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddCounter("bad-name", "x");
      },
      "invalid metric name");
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddCounter("ok_total", "x", {"__bad"});
      },
      "invalid label name");
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddHistogram("h", "x", {1, 2}, {"le"});
      },
      "label \"le\"");
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddGauge("twice", "x");
        registry.AddCounter("twice", "x");
      },
      "registered twice");
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddCounter("c_total", "x", {"a", "b"}).WithLabels({"only"});
      },
      "1 label values for 2 labels");
  EXPECT_DEATH(
      {
        Registry registry;
        registry.AddHistogram("h", "x", {2, 1});
      },
      "increasing");
}

TEST(HistogramTest, BucketsAreCumulativeWithInclusiveBounds) {
  std::vector<double> bounds = {1, 2, 5};
  Histogram histogram(&bounds);
  for (double value : {0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 100.0}) {
    histogram.Observe(value);
  }
  Histogram::Snapshot snapshot = histogram.Read();
  // <=1: 0.5, 1.0; <=2: +1.5, 2.0; <=5: +3.0, 5.0; +Inf: +7, 100.
  EXPECT_EQ(snapshot.cumulative, (std::vector<uint64_t>{2, 4, 6, 8}));
  EXPECT_EQ(snapshot.count, 8u);
  EXPECT_DOUBLE_EQ(snapshot.sum, 0.5 + 1 + 1.5 + 2 + 3 + 5 + 7 + 100);
}

TEST(HistogramTest, NaNIsIgnoredAndInfinityGoesToTheLastBucket) {
  std::vector<double> bounds = {1};
  Histogram histogram(&bounds);
  histogram.Observe(std::nan(""));
  histogram.Observe(-std::numeric_limits<double>::infinity());
  histogram.Observe(std::numeric_limits<double>::infinity());
  Histogram::Snapshot snapshot = histogram.Read();
  EXPECT_EQ(snapshot.cumulative, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(snapshot.count, 2u);
}

TEST(HistogramTest, RendersBucketsSumAndCount) {
  Registry registry;
  Histogram& histogram = registry
                             .AddHistogram("annals_latency_seconds", "Latency.",
                                           {0.1, 1}, {"method"})
                             .WithLabels({"Get"});
  histogram.Observe(0.05);
  histogram.Observe(0.5);
  histogram.Observe(3);
  EXPECT_EQ(registry.RenderText(),
            "# HELP annals_latency_seconds Latency.\n"
            "# TYPE annals_latency_seconds histogram\n"
            "annals_latency_seconds_bucket{method=\"Get\",le=\"0.1\"} 1\n"
            "annals_latency_seconds_bucket{method=\"Get\",le=\"1\"} 2\n"
            "annals_latency_seconds_bucket{method=\"Get\",le=\"+Inf\"} 3\n"
            "annals_latency_seconds_sum{method=\"Get\"} 3.55\n"
            "annals_latency_seconds_count{method=\"Get\"} 3\n");
}

TEST(HistogramTest, ExponentialBuckets) {
  EXPECT_EQ(ExponentialBuckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  const std::vector<double>& latency = LatencyBuckets();
  ASSERT_FALSE(latency.empty());
  for (size_t i = 1; i < latency.size(); ++i) {
    EXPECT_LT(latency[i - 1], latency[i]);
  }
}

TEST(HistogramTest, ConcurrentObservationsAreAllCounted) {
  Registry registry;
  HistogramFamily& family = registry.AddHistogram(
      "annals_work_seconds", "Work.", {0.001, 0.01, 0.1}, {"worker"});
  CounterFamily& counter =
      registry.AddCounter("annals_work_total", "Work.", {"worker"});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Every thread shares one child and has one of its own.
      Histogram& shared = family.WithLabels({"shared"});
      Counter& own = counter.WithLabels({std::to_string(t)});
      for (int i = 0; i < kPerThread; ++i) {
        shared.Observe((i % 4) * 0.005);
        own.Increment();
      }
    });
  }
  // Renders while observations run: every rendering is consistent.
  for (int i = 0; i < 20; ++i) Parse(registry);
  for (std::thread& thread : threads) thread.join();
  Exposition parsed = Parse(registry);
  EXPECT_EQ(parsed.Value("annals_work_seconds_count{worker=\"shared\"}"),
            kThreads * kPerThread);
  // 0 and 0.005 <= 0.01; 0.010 <= 0.01 too; 0.015 <= 0.1.
  EXPECT_EQ(parsed.Value("annals_work_seconds_bucket{worker=\"shared\","
                         "le=\"0.001\"}"),
            kThreads * kPerThread / 4);
  EXPECT_EQ(parsed.Value("annals_work_seconds_bucket{worker=\"shared\","
                         "le=\"0.01\"}"),
            kThreads * kPerThread * 3 / 4);
  EXPECT_EQ(parsed.Sum("annals_work_total"), kThreads * kPerThread);
}

TEST(CollectorTest, SamplesAreGroupedIntoFamiliesByName) {
  Registry registry;
  int calls = 0;
  registry.AddCollector([&calls](std::vector<CollectedSample>& out) {
    ++calls;
    out.push_back({"annals_size_bytes",
                   "Size.",
                   MetricType::kGauge,
                   {{"space", "a"}},
                   10});
    out.push_back({"annals_other", "Other.", MetricType::kGauge, {}, 1});
    out.push_back({"annals_size_bytes",
                   "ignored help",
                   MetricType::kGauge,
                   {{"space", "b"}},
                   20});
  });
  std::string text = registry.RenderText();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(text,
            "# HELP annals_other Other.\n"
            "# TYPE annals_other gauge\n"
            "annals_other 1\n"
            "# HELP annals_size_bytes Size.\n"
            "# TYPE annals_size_bytes gauge\n"
            "annals_size_bytes{space=\"a\"} 10\n"
            "annals_size_bytes{space=\"b\"} 20\n");
}

TEST(CollectorTest, InvalidOrClashingSamplesAreSkipped) {
  Registry registry;
  registry.AddCounter("annals_taken_total", "Taken.")
      .WithLabels({})
      .Increment();
  registry.AddCollector([](std::vector<CollectedSample>& out) {
    out.push_back({"bad name", "x", MetricType::kGauge, {}, 1});
    out.push_back(
        {"annals_bad_label", "x", MetricType::kGauge, {{"bad-label", "v"}}, 1});
    out.push_back({"annals_taken_total", "x", MetricType::kCounter, {}, 99});
    out.push_back({"annals_mixed", "x", MetricType::kGauge, {}, 1});
    out.push_back({"annals_mixed", "x", MetricType::kCounter, {{"a", "b"}}, 2});
    out.push_back({"annals_hist", "x", MetricType::kHistogram, {}, 1});
  });
  Exposition parsed = Parse(registry);
  EXPECT_EQ(parsed.Value("annals_taken_total"), 1);
  EXPECT_FALSE(parsed.types.count("annals_bad_label"));
  EXPECT_FALSE(parsed.types.count("annals_hist"));
  EXPECT_EQ(parsed.types.at("annals_mixed"), "gauge");
  EXPECT_FALSE(parsed.Has("annals_mixed{a=\"b\"}"));
}

TEST(CollectorTest, CallbacksAreReadAtEachRender) {
  Registry registry;
  double value = 1;
  registry.AddGaugeCallback("annals_g", "G.", [&] { return value; });
  registry.AddCounterCallback("annals_c_total", "C.", [&] { return value; });
  EXPECT_EQ(Parse(registry).Value("annals_g"), 1);
  value = 5;
  Exposition parsed = Parse(registry);
  EXPECT_EQ(parsed.Value("annals_g"), 5);
  EXPECT_EQ(parsed.Value("annals_c_total"), 5);
  EXPECT_EQ(parsed.types.at("annals_c_total"), "counter");
}

}  // namespace
}  // namespace annals::metrics
