// The queue manager in a simulated world: the path of a message through inspection and
// delivery, retries at exact virtual times, the queue lifetime, bounces, admission and the
// bound on concurrent deliveries.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "queue_fixture.hpp"

namespace {

using namespace queue_test;

const std::pair<DeliveryResult, std::string> deferred_reply{DeliveryResult::deferred,
                                                            "451 4.4.1 next hop busy"};
const std::pair<DeliveryResult, std::string> delivered_reply{DeliveryResult::delivered,
                                                             "250 2.0.0 queued"};

BOOST_AUTO_TEST_SUITE(queue)

BOOST_AUTO_TEST_CASE(a_committed_message_is_inspected_delivered_and_removed) {
  QueueWorld q;
  q.boot();
  const std::string content = spool_test::patterned_content(200'000);
  const auto id = q.send(
      q.envelope("alice@source.example", {"bob@corp.example", "carol@corp.example"}), content);
  BOOST_TEST_REQUIRE(id.has_value());
  q.run_until([&] { return q.gateway().manager.size() == 0; }, 1min);

  // The next hop got every recipient and every byte, at once.
  BOOST_TEST(q.deliverer.delivered[id->text()] ==
             (std::set<std::string>{"bob@corp.example", "carol@corp.example"}));
  BOOST_TEST((q.deliverer.contents[id->text()] == content));
  BOOST_TEST((q.deliverer.attempt_times(*id) == std::vector<SimTime>{0s}));
  BOOST_TEST(q.inspector.inspected == std::vector<std::string>{id->text()});

  // Each state change was an event with the queue id, and the files are gone.
  BOOST_TEST(q.queue_events(*id) ==
             (std::vector<std::string>{"committed", "inspecting", "ready", "delivering",
                                       "delivered", "delivered", "done"}));
  BOOST_TEST(!q.gateway().spool.contains(*id));
  BOOST_TEST(!q.node.storage().exists(q.gateway().spool.state_path(*id)));
}

BOOST_AUTO_TEST_CASE(deferred_recipients_are_retried_with_exponential_backoff_at_exact_times) {
  QueueWorld q;  // 5 minutes doubling up to an hour
  q.deliverer.decide = [](const auto&, const std::string&, int attempt) {
    return attempt < 6 ? deferred_reply : delivered_reply;
  };
  q.boot();
  const auto id = q.send_default();

  // Between attempts two and three, the record holds the wall time of the third.
  q.world.run_until(SimTime(6min));
  auto record = q.gateway().spool.load_state(*id);
  BOOST_TEST_REQUIRE((record.has_value() && record->has_value()));
  BOOST_TEST(((*record)->state == MessageState::deferred));
  BOOST_TEST((*record)->attempts == 2u);
  BOOST_TEST(((*record)->next_attempt_time == q.world.wall_now() + 9min));
  BOOST_TEST((*record)->last_error == deferred_reply.second);

  q.run_until([&] { return q.gateway().manager.size() == 0; }, 4h);
  BOOST_TEST((q.deliverer.attempt_times(*id) ==
              std::vector<SimTime>{0min, 5min, 15min, 35min, 75min, 135min}));
  BOOST_TEST(q.deliverer.delivered[id->text()].size() == 2u);
  BOOST_TEST(q.count("queue.deferred") == 5u);
  BOOST_TEST(q.bounces.bounces.empty());
}

BOOST_AUTO_TEST_CASE(a_retry_goes_only_to_the_recipients_still_pending) {
  QueueWorld q;
  q.deliverer.decide = [](const auto&, const std::string& recipient, int attempt) {
    return recipient == "carol@corp.example" && attempt == 1 ? deferred_reply : delivered_reply;
  };
  q.boot();
  const auto id = q.send_default();
  q.run_until([&] { return q.gateway().manager.size() == 0; }, 1h);

  BOOST_TEST_REQUIRE(q.deliverer.attempts.size() == 2u);
  BOOST_TEST(q.deliverer.attempts[1].recipients == std::vector<std::string>{"carol@corp.example"});
  BOOST_TEST((q.deliverer.attempts[1].started == SimTime(5min)));
}

BOOST_AUTO_TEST_CASE(recipients_still_deferred_when_the_lifetime_runs_out_bounce_then) {
  QueueWorld q(
      {.minimum_backoff = 5min, .maximum_backoff = 1h, .backoff_factor = 2, .queue_lifetime = 2h});
  q.deliverer.decide = [](const auto&, const std::string&, int) { return deferred_reply; };
  q.boot();
  const auto id = q.send_default();
  q.run_until([&] { return q.gateway().manager.size() == 0; }, 4h);

  // The last attempt falls exactly on the lifetime's end, and its failure bounces.
  BOOST_TEST((q.deliverer.attempt_times(*id) ==
              std::vector<SimTime>{0min, 5min, 15min, 35min, 75min, 120min}));
  BOOST_TEST_REQUIRE(q.bounces.bounces.size() == 2u);
  for (const auto& bounce : q.bounces.bounces) {
    BOOST_TEST((bounce.at == SimTime(2h)));
    BOOST_TEST(bounce.sender == "alice@source.example");
    BOOST_TEST(bounce.reply.starts_with("554 5.4.7 "));
  }
  BOOST_TEST(!q.gateway().spool.contains(*id));
}

BOOST_AUTO_TEST_CASE(a_permanent_failure_bounces_at_once_and_only_that_recipient) {
  QueueWorld q;
  q.deliverer.decide = [](const auto&, const std::string& recipient, int) {
    return recipient == "carol@corp.example"
               ? std::pair{DeliveryResult::bounced, std::string("550 5.1.1 no such user")}
               : delivered_reply;
  };
  q.boot();
  const auto id = q.send_default();
  q.run_until([&] { return q.gateway().manager.size() == 0; }, 1min);

  BOOST_TEST_REQUIRE(q.bounces.bounces.size() == 1u);
  BOOST_TEST(q.bounces.bounces[0].recipient == "carol@corp.example");
  BOOST_TEST(q.bounces.bounces[0].reply == "550 5.1.1 no such user");
  BOOST_TEST(q.deliverer.delivered[id->text()] == std::set<std::string>{"bob@corp.example"});
  BOOST_TEST(q.count("queue.bounced") == 1u);
}

BOOST_AUTO_TEST_CASE(metrics_count_each_attempt_by_outcome_and_time_each_stage) {
  QueueWorld q;
  q.inspector.latency = 2s;
  q.deliverer.latency = 1s;
  // Carol is deferred once, then bounces; Bob is delivered at once.
  q.deliverer.decide = [](const auto&, const std::string& recipient, int attempt) {
    if (recipient == "bob@corp.example") {
      return delivered_reply;
    }
    return attempt == 1 ? deferred_reply
                        : std::pair{DeliveryResult::bounced, std::string("550 5.1.1 no user")};
  };
  q.boot();
  q.send_default();
  q.run_until([&] { return q.gateway().manager.size() == 0; }, 1h);

  BOOST_TEST(q.metrics.messages_delivered_total == 1u);
  BOOST_TEST(q.metrics.messages_deferred_total == 1u);
  BOOST_TEST(q.metrics.messages_bounced_total == 1u);
  BOOST_TEST(q.metrics.inspection_seconds.count() == 1u);
  BOOST_TEST(q.metrics.inspection_seconds.sum_seconds() == 2.0);
  // Received at 0; inspected by 2 s; first attempt 2..3 s; retried 5 minutes later.
  BOOST_TEST_REQUIRE(q.metrics.end_to_end_seconds.count() == 1u);
  BOOST_TEST(q.metrics.end_to_end_seconds.sum_seconds() == 304.0);
}

BOOST_AUTO_TEST_CASE(the_null_sender_never_gets_a_bounce) {
  struct Case {
    const char* name;
    std::pair<DeliveryResult, std::string> reply;
  };
  const std::vector<Case> cases = {
      {"permanent failure", {DeliveryResult::bounced, "550 5.1.1 no such user"}},
      {"lifetime expiry", deferred_reply},
  };
  for (const auto& c : cases) {
    QueueWorld q({.minimum_backoff = 5min,
                  .maximum_backoff = 1h,
                  .backoff_factor = 2,
                  .queue_lifetime = 30min});
    q.deliverer.decide = [&](const auto&, const std::string&, int) { return c.reply; };
    q.boot();
    const auto id = q.send(q.envelope("", {"bob@corp.example"}));
    q.run_until([&] { return q.gateway().manager.size() == 0; }, 2h);

    BOOST_TEST(q.count("queue.bounced") == 1u, c.name);
    BOOST_TEST(q.bounces.bounces.empty(), c.name);
    BOOST_TEST(q.count("queue.bounce_suppressed") == 1u, c.name);
    BOOST_TEST(!q.gateway().spool.contains(*id), c.name);
  }
}

BOOST_AUTO_TEST_CASE(admission_stops_at_the_queue_limit_and_reopens_as_messages_leave) {
  QueueWorld q({}, {.max_queue_messages = 3});
  q.deliverer.decide = [](const auto&, const std::string&, int) { return deferred_reply; };
  q.boot();
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(q.send_default().has_value());
  }
  BOOST_TEST(!q.gateway().manager.admit());
  BOOST_TEST(!q.send_default().has_value());

  // Once one message is delivered there is room again.
  q.deliverer.decide = [](const auto&, const std::string&, int) { return delivered_reply; };
  q.run_until([&] { return q.gateway().manager.admit().has_value(); }, 1h);
  BOOST_TEST(q.send_default().has_value());
}

BOOST_AUTO_TEST_CASE(places_kept_for_transactions_count_against_the_limit) {
  QueueWorld q({}, {.max_queue_messages = 3});
  q.boot();
  auto& manager = q.gateway().manager;
  BOOST_TEST_REQUIRE(q.send_default().has_value());  // one queued
  auto first = manager.admit();
  auto second = manager.admit();
  BOOST_TEST_REQUIRE((first.has_value() && second.has_value()));
  // Two sessions between MAIL and their 250 hold the last two places.
  BOOST_TEST(!manager.admit().has_value());
  // A transaction that ends gives its place back; moving a place keeps it.
  first.reset();
  auto third = manager.admit();
  BOOST_TEST(third.has_value());
  std::optional<gateway::QueueManager::Admission> moved = std::move(second);
  BOOST_TEST(!manager.admit().has_value());
  moved = std::move(third);  // the place `moved` held goes back
  BOOST_TEST(manager.admit().has_value());
}

BOOST_AUTO_TEST_CASE(no_more_deliveries_run_at_once_than_the_limit) {
  QueueWorld q({}, {.max_concurrent_deliveries = 2});
  q.deliverer.latency = 10s;
  q.boot();
  for (int i = 0; i < 5; ++i) {
    q.send_default();
  }
  q.run_until([&] { return q.gateway().manager.size() == 0; }, 10min);

  BOOST_TEST(q.deliverer.in_flight_max == 2);
  std::vector<SimTime> finished;
  for (const auto& attempt : q.deliverer.attempts) {
    finished.push_back(attempt.finished);
  }
  BOOST_TEST((finished == std::vector<SimTime>{10s, 10s, 20s, 20s, 30s}));
}

BOOST_AUTO_TEST_CASE(a_message_the_inspector_holds_stays_held_with_its_reason) {
  QueueWorld q;
  q.inspector.decide = [](const gateway::QueuedMessage&) {
    return gateway::InspectionOutcome{gateway::InspectionResult::hold, "malicious attachment"};
  };
  q.boot();
  const auto id = q.send_default();
  q.world.run_until(SimTime(6h));

  BOOST_TEST(q.deliverer.attempts.empty());
  auto record = q.gateway().spool.load_state(*id);
  BOOST_TEST_REQUIRE((record.has_value() && record->has_value()));
  BOOST_TEST(((*record)->state == MessageState::held));
  BOOST_TEST((*record)->last_error == "malicious attachment");
  BOOST_TEST(q.queue_events(*id) == (std::vector<std::string>{"committed", "inspecting", "held"}));
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_trace) {
  auto run = [](std::uint64_t seed) {
    QueueWorld q({}, {}, seed);
    q.deliverer.decide = [](const auto&, const std::string& recipient, int attempt) {
      return recipient.starts_with("carol") && attempt < 3 ? deferred_reply : delivered_reply;
    };
    q.boot();
    for (int i = 0; i < 4; ++i) {
      q.send_default();
    }
    q.world.run_until(SimTime(2h));
    return q.world.trace().digest();
  };
  BOOST_TEST(run(7) == run(7));
  BOOST_TEST(run(7) != run(8));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
