#include "wire/exposition/format.h"

#include "gtest/gtest.h"

namespace vigil::exposition {
namespace {

TEST(FormatTest, ContentTypes) {
  EXPECT_EQ(ContentType(Format::kPrometheusText), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(ContentType(Format::kOpenMetrics), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_EQ(FormatFromContentType("application/openmetrics-text; version=1.0.0; charset=utf-8"), Format::kOpenMetrics);
  EXPECT_EQ(FormatFromContentType("Application/OpenMetrics-Text"), Format::kOpenMetrics);
  EXPECT_EQ(FormatFromContentType("text/plain; version=0.0.4"), Format::kPrometheusText);
  EXPECT_EQ(FormatFromContentType("text/plain"), Format::kPrometheusText);
  EXPECT_EQ(FormatFromContentType(""), std::nullopt);
  EXPECT_EQ(FormatFromContentType("application/json"), std::nullopt);
}

TEST(FormatTest, NegotiatesAsPrometheusExpects) {
  // Prometheus 3's default scrape Accept header.
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
                            "application/openmetrics-text;version=0.0.1;q=0.4,"
                            "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
                            "text/plain;version=0.0.4;q=0.2,*/*;q=0.1"),
            Format::kOpenMetrics);
  EXPECT_EQ(NegotiateFormat("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5"),
            Format::kPrometheusText);
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text"), Format::kOpenMetrics);
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text; version=1.0.0"), Format::kOpenMetrics);
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text;version=0.0.1"), Format::kPrometheusText);
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text;q=0"), Format::kPrometheusText);
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text;q=2"), Format::kPrometheusText);  // invalid q
  EXPECT_EQ(NegotiateFormat(""), Format::kPrometheusText);
  EXPECT_EQ(NegotiateFormat("*/*"), Format::kPrometheusText);
  EXPECT_EQ(NegotiateFormat("garbage;;;,,,"), Format::kPrometheusText);
  EXPECT_EQ(NegotiateFormat("text/*;q=0.5, application/openmetrics-text;q=0.5"), Format::kOpenMetrics);
}

TEST(FormatTest, MetricTypes) {
  EXPECT_EQ(MetricTypeName(MetricType::kUnknown, Format::kPrometheusText), "untyped");
  EXPECT_EQ(MetricTypeName(MetricType::kUnknown, Format::kOpenMetrics), "unknown");
  EXPECT_EQ(MetricTypeName(MetricType::kInfo, Format::kPrometheusText), "untyped");
  EXPECT_EQ(MetricTypeName(MetricType::kGaugeHistogram, Format::kOpenMetrics), "gaugehistogram");
  for (Format f : {Format::kPrometheusText, Format::kOpenMetrics}) {
    for (int t = 0; t <= 7; ++t) {
      const auto type = static_cast<MetricType>(t);
      const auto parsed = ParseMetricType(MetricTypeName(type, f), f);
      ASSERT_TRUE(parsed.has_value());
      if (f == Format::kOpenMetrics) {
        EXPECT_EQ(*parsed, type);
      }
    }
  }
  EXPECT_EQ(ParseMetricType("untyped", Format::kOpenMetrics), std::nullopt);
  EXPECT_EQ(ParseMetricType("unknown", Format::kPrometheusText), std::nullopt);
  EXPECT_EQ(ParseMetricType("Counter", Format::kPrometheusText), std::nullopt);
  EXPECT_EQ(ParseMetricType("stateset", Format::kPrometheusText), std::nullopt);
}

}  // namespace
}  // namespace vigil::exposition
