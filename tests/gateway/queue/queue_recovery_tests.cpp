// The queue across crashes: every committed message resumes where its state record says,
// a stage under way is done again, and deferred messages keep their recorded times.
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

BOOST_AUTO_TEST_CASE(a_crash_during_delivery_delivers_again_after_the_restart) {
  QueueWorld q;
  q.deliverer.latency = 10s;
  q.boot();
  const auto id = q.send_default();
  q.world.at(SimTime(5s), [&] { q.node.crash(); });
  q.world.at(SimTime(1min), [&] { q.node.restart(); });
  q.run_until([&] { return q.node.up() && q.gateway().manager.size() == 0; }, 1h);

  // The first attempt never finished; the second starts as the node comes back.
  BOOST_TEST_REQUIRE(q.deliverer.attempts.size() == 1u);
  BOOST_TEST((q.deliverer.attempts[0].started == SimTime(1min)));
  BOOST_TEST(q.deliverer.delivered[id->text()].size() == 2u);
  BOOST_TEST(!q.gateway().spool.contains(*id));
}

BOOST_AUTO_TEST_CASE(a_deferred_message_keeps_its_recorded_time_across_a_restart) {
  struct Case {
    SimTime restart;
    SimTime second_attempt;
  };
  // Back before the retry is due: it waits for it. Back after: it goes at once.
  const std::vector<Case> cases = {{2min, 5min}, {10min, 10min}};
  for (const auto& c : cases) {
    QueueWorld q;
    q.deliverer.decide = [](const auto&, const std::string&, int attempt) {
      return attempt == 1 ? deferred_reply : delivered_reply;
    };
    q.boot();
    const auto id = q.send_default();
    q.world.at(SimTime(1min), [&] { q.node.crash(); });
    q.world.at(c.restart, [&] { q.node.restart(); });
    q.run_until([&] { return q.node.up() && q.gateway().manager.size() == 0; }, 1h);

    BOOST_TEST((q.deliverer.attempt_times(*id) == std::vector<SimTime>{0s, c.second_attempt}));
  }
}

BOOST_AUTO_TEST_CASE(an_inspection_cut_by_a_crash_is_redone_and_a_held_message_stays_held) {
  QueueWorld q;
  q.inspector.latency = 30s;
  q.inspector.decide = [](const gateway::QueuedMessage& message) {
    return message.envelope.mail_from == "mallory@source.example"
               ? gateway::InspectionOutcome{gateway::InspectionResult::hold, "malicious"}
               : gateway::InspectionOutcome{};
  };
  q.boot();
  const auto held = q.send(q.envelope("mallory@source.example", {"bob@corp.example"}));
  q.world.run_until(SimTime(1min));
  const auto cut = q.send_default();

  // The second inspection is under way when the node crashes.
  q.world.at(SimTime(70s), [&] { q.node.crash(); });
  q.world.at(SimTime(2min), [&] { q.node.restart(); });
  q.world.run_until(SimTime(1h));

  BOOST_TEST(q.inspector.inspected ==
             (std::vector<std::string>{held->text(), cut->text()}));
  BOOST_TEST(q.deliverer.delivered[cut->text()].size() == 2u);
  BOOST_TEST(q.deliverer.delivered.count(held->text()) == 0u);
  BOOST_TEST(q.gateway().manager.size() == 1u);
  BOOST_TEST_REQUIRE(q.gateway().manager.find(*held) != nullptr);
  BOOST_TEST((q.gateway().manager.find(*held)->record.state == MessageState::held));
}

BOOST_AUTO_TEST_CASE(a_restart_finds_every_committed_message_again) {
  QueueWorld q;
  q.inspector.latency = 1h;  // nothing gets past inspection before the crash
  q.boot();
  std::vector<QueueId> sent;
  for (int i = 0; i < 20; ++i) {
    sent.push_back(*q.send_default());
  }
  q.world.run_until(SimTime(1min));
  q.node.crash();
  q.inspector.latency = 0s;
  q.node.restart();

  BOOST_TEST(q.gateway().manager.size() == sent.size());
  for (const auto& id : sent) {
    BOOST_TEST(q.gateway().manager.find(id) != nullptr, id.text());
  }
  BOOST_TEST(q.count("queue.recovered") == sent.size());
  q.run_until([&] { return q.gateway().manager.size() == 0; }, 1h);
  BOOST_TEST(q.deliverer.delivered.size() == sent.size());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
