// The retry policy alone: backoff steps, the queue lifetime, and what each outcome does to
// a message's state.
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/queue/retry_policy.hpp"
#include "queue_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using gateway::DeliveryOutcome;
using gateway::DeliveryResult;
using gateway::MessageState;
using gateway::QueueRecord;
using gateway::RecipientState;
using gateway::RetryPolicy;

const runtime::WallTime received = runtime::WallTime(std::chrono::seconds(1767225600));

QueueRecord two_recipients() {
  return QueueRecord::fresh(*gateway::QueueId::parse("AbC123xyZ789"),
                            spool_test::sample_envelope());
}

DeliveryOutcome both(DeliveryResult first, DeliveryResult second) {
  DeliveryOutcome outcome;
  outcome.recipients.push_back({0, first, first == DeliveryResult::delivered ? "250 ok" : "4xx"});
  outcome.recipients.push_back({1, second, second == DeliveryResult::bounced ? "550 no" : "451"});
  return outcome;
}

BOOST_AUTO_TEST_SUITE(queue)

BOOST_AUTO_TEST_CASE(backoff_doubles_from_the_minimum_up_to_the_maximum) {
  struct Case {
    gateway::RetrySettings settings;
    std::vector<runtime::Duration> steps;  // after 1, 2, 3... failed attempts
  };
  const std::vector<Case> cases = {
      {{}, {5min, 10min, 20min, 40min, 1h, 1h, 1h}},
      {{.minimum_backoff = 1min, .maximum_backoff = 10min, .backoff_factor = 1.5,
        .queue_lifetime = 1h},
       {1min, 90s, 135s, 202500ms, 303750ms, 455625ms, 10min}},
      {{.minimum_backoff = 30s, .maximum_backoff = 30s, .backoff_factor = 3,
        .queue_lifetime = 1h},
       {30s, 30s, 30s}},
  };
  for (const auto& c : cases) {
    const RetryPolicy policy(c.settings);
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
      BOOST_TEST((policy.backoff(static_cast<std::uint32_t>(i + 1)) == c.steps[i]),
                 "attempt " << i + 1);
    }
  }
  // Far past the cap, the growth stops rather than overflowing.
  BOOST_TEST((RetryPolicy().backoff(100000) == 1h));
}

BOOST_AUTO_TEST_CASE(each_recipient_takes_its_own_result_and_the_message_waits_for_the_rest) {
  const RetryPolicy policy;
  QueueRecord record = two_recipients();
  record.state = MessageState::ready;

  auto summary = policy.apply_delivery(record, both(DeliveryResult::delivered,
                                                    DeliveryResult::deferred),
                                       received, received + 1min);
  BOOST_TEST(record.attempts == 1u);
  BOOST_TEST((record.recipients[0].state == RecipientState::delivered));
  BOOST_TEST((record.recipients[1].state == RecipientState::pending));
  BOOST_TEST((record.state == MessageState::deferred));
  BOOST_TEST((record.next_attempt_time == received + 6min));
  BOOST_TEST((summary.retry_after == runtime::Duration(5min)));
  BOOST_TEST(summary.delivered == std::vector<std::size_t>{0});
  BOOST_TEST(record.last_error == "451");
  BOOST_TEST(record.consistent());
}

BOOST_AUTO_TEST_CASE(a_message_is_done_when_every_recipient_is_delivered_or_bounced) {
  const RetryPolicy policy;
  QueueRecord record = two_recipients();
  auto summary = policy.apply_delivery(record, both(DeliveryResult::delivered,
                                                    DeliveryResult::bounced),
                                       received, received);
  BOOST_TEST((record.state == MessageState::done));
  BOOST_TEST(!record.next_attempt_time.has_value());
  BOOST_TEST(summary.bounced == std::vector<std::size_t>{1});
  BOOST_TEST(!summary.expired);
  BOOST_TEST(record.recipients[1].reply == "550 no");
}

BOOST_AUTO_TEST_CASE(the_last_retry_falls_on_the_lifetime_and_then_what_is_pending_bounces) {
  const RetryPolicy policy({.minimum_backoff = 5min, .maximum_backoff = 1h,
                            .backoff_factor = 2, .queue_lifetime = 2h});
  QueueRecord record = two_recipients();
  record.attempts = 4;

  // Five attempts in, the next would be an hour away; the lifetime ends in 45 minutes.
  const auto deferred = both(DeliveryResult::deferred, DeliveryResult::deferred);
  auto summary = policy.apply_delivery(record, deferred, received, received + 75min);
  BOOST_TEST((summary.retry_after == runtime::Duration(45min)));
  BOOST_TEST((record.next_attempt_time == received + 2h));

  // At that attempt the lifetime is over: both bounce, saying why.
  summary = policy.apply_delivery(record, deferred, received, received + 2h);
  BOOST_TEST(summary.expired);
  BOOST_TEST((record.state == MessageState::done));
  BOOST_TEST(summary.bounced == (std::vector<std::size_t>{0, 1}));
  BOOST_TEST(record.recipients[0].reply.starts_with("554 5.4.7 "));
  BOOST_TEST(record.recipients[0].reply.ends_with("last reply: 4xx"));
}

BOOST_AUTO_TEST_CASE(a_recipient_the_deliverer_said_nothing_about_is_deferred) {
  const RetryPolicy policy;
  QueueRecord record = two_recipients();
  DeliveryOutcome outcome;
  outcome.recipients.push_back({0, DeliveryResult::delivered, "250 ok"});
  auto summary = policy.apply_delivery(record, outcome, received, received);
  BOOST_TEST((record.recipients[1].state == RecipientState::pending));
  BOOST_TEST(record.recipients[1].reply.starts_with("451 "));
  BOOST_TEST(summary.deferred_count == 1u);
  BOOST_TEST((record.state == MessageState::deferred));
}

BOOST_AUTO_TEST_CASE(inspection_moves_a_message_to_ready_or_held_with_its_reason) {
  const RetryPolicy policy;
  QueueRecord record = two_recipients();
  policy.apply_inspection(record, {});
  BOOST_TEST((record.state == MessageState::ready));
  policy.apply_inspection(record, {gateway::InspectionResult::hold, "malicious; quarantined"});
  BOOST_TEST((record.state == MessageState::held));
  BOOST_TEST(record.last_error == "malicious; quarantined");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
