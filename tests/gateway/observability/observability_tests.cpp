// Log line formats and the Prometheus rendering.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/observability/logger.hpp"
#include "gateway/observability/metrics.hpp"

namespace {

using namespace std::chrono_literals;

class FixedClock final : public runtime::Clock {
 public:
  runtime::SteadyTime now() const override { return runtime::SteadyTime(5s); }
  runtime::WallTime wall_now() const override {
    return runtime::WallTime(std::chrono::seconds(1767225600)) + 1234ms;
  }
};

BOOST_AUTO_TEST_SUITE(observability)

BOOST_AUTO_TEST_CASE(text_lines_carry_seam_time_level_event_and_quoted_values) {
  FixedClock clock;
  std::vector<std::string> lines;
  gateway::Logger logger(
      clock, gateway::LogFormat::text, gateway::LogLevel::info,
      [&](gateway::LogLevel, std::string_view line) { lines.emplace_back(line); });

  logger.info("queue.deferred",
              {{"queue_id", "4Qx9"}, {"attempt", 2}, {"reply", "451 4.3.0 try later"}});
  logger.debug("smtp.command", {{"line", "NOOP"}});

  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_TEST(lines[0] ==
             "2026-01-01T00:00:01.234Z info queue.deferred queue_id=4Qx9 attempt=2 "
             "reply=\"451 4.3.0 try later\"");
}

BOOST_AUTO_TEST_CASE(json_lines_are_one_object_per_event) {
  FixedClock clock;
  gateway::Logger logger(clock, gateway::LogFormat::json, gateway::LogLevel::debug, nullptr);
  runtime::Field fields[] = {{"session", "s1"}, {"tls", true}};

  BOOST_TEST(logger.format(gateway::LogLevel::warn, "smtp.timeout", fields) ==
             "{\"time\": \"2026-01-01T00:00:01.234Z\", \"level\": \"warn\", \"event\": "
             "\"smtp.timeout\", \"session\": \"s1\", \"tls\": true}");
}

BOOST_AUTO_TEST_CASE(log_levels_parse_by_name_only) {
  gateway::LogLevel level = gateway::LogLevel::info;
  BOOST_TEST(gateway::parse_log_level("warn", level));
  BOOST_TEST((level == gateway::LogLevel::warn));
  BOOST_TEST(!gateway::parse_log_level("verbose", level));
}

BOOST_AUTO_TEST_CASE(histograms_count_cumulatively_with_inf_and_sum) {
  gateway::Histogram histogram({0.1, 1, 10});
  histogram.observe(50ms);
  histogram.observe(100ms);  // on a bound: counts in that bucket (le)
  histogram.observe(2s);
  histogram.observe(1h);

  const std::vector<std::uint64_t> want = {2, 2, 3};
  BOOST_TEST(histogram.cumulative() == want, boost::test_tools::per_element());
  BOOST_TEST(histogram.count() == 4u);
  BOOST_TEST(histogram.sum_seconds() == 3602.15, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(render_has_help_type_and_values_for_every_metric) {
  gateway::GatewayMetrics metrics;
  metrics.messages_received_total = 3;
  metrics.queue_depth = 2;
  metrics.delivery_seconds.observe(20ms);
  const std::string text = metrics.render();

  BOOST_TEST(
      text.find("# TYPE mta_messages_received_total counter\nmta_messages_received_total 3\n") !=
      std::string::npos);
  BOOST_TEST(text.find("mta_queue_depth 2\n") != std::string::npos);
  BOOST_TEST(text.find("mta_delivery_seconds_bucket{le=\"0.05\"} 1\n") != std::string::npos);
  BOOST_TEST(text.find("mta_delivery_seconds_bucket{le=\"+Inf\"} 1\n") != std::string::npos);
  BOOST_TEST(text.find("mta_delivery_seconds_count 1\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
