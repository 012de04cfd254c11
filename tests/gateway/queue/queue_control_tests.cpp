// Administration through the spool's control folder: list and show read the spool; flush,
// delete and release reach a running queue manager within a control interval, and a
// stopped gateway applies them when it starts, before it delivers anything.
#include <cerrno>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/queue/control_request.hpp"
#include "gateway/queue/queue_admin.hpp"
#include "queue_fixture.hpp"

namespace {

using namespace queue_test;

const std::pair<DeliveryResult, std::string> deferred_reply{DeliveryResult::deferred,
                                                            "451 4.4.1 next hop busy"};

runtime::error_code errno_code(int value) { return {value, boost::system::system_category()}; }

gateway::InspectionOutcome hold_mallory(const gateway::QueuedMessage& message) {
  if (message.envelope.mail_from == "mallory@source.example") {
    return {gateway::InspectionResult::hold, "malicious attachment"};
  }
  return {};
}

BOOST_AUTO_TEST_SUITE(queue)

BOOST_AUTO_TEST_CASE(flush_makes_every_deferred_message_due_within_a_control_interval) {
  QueueWorld q;
  q.deliverer.decide = [](const auto&, const std::string&, int) { return deferred_reply; };
  q.boot();
  const auto first = q.send_default();
  const auto second = q.send_default();
  q.world.run_until(SimTime(60s));

  // The request lands between two control ticks; the next tick, at 61 s, applies it.
  gateway::QueueAdmin admin(q.gateway().spool);
  BOOST_TEST_REQUIRE(!admin.flush());
  BOOST_TEST(admin.pending_requests().value() == 1u);
  q.world.run_until(SimTime(2min));

  BOOST_TEST((q.deliverer.attempt_times(*first) == std::vector<SimTime>{0s, 61s}));
  BOOST_TEST((q.deliverer.attempt_times(*second) == std::vector<SimTime>{0s, 61s}));
  BOOST_TEST(admin.pending_requests().value() == 0u);
  BOOST_TEST(q.count("queue.flushed") == 1u);
}

BOOST_AUTO_TEST_CASE(delete_removes_a_message_without_a_bounce) {
  QueueWorld q;
  q.deliverer.decide = [](const auto&, const std::string&, int) { return deferred_reply; };
  q.boot();
  const auto id = q.send_default();
  q.world.run_until(SimTime(60s));

  gateway::QueueAdmin admin(q.gateway().spool);
  BOOST_TEST_REQUIRE(!admin.remove(*id));
  q.world.run_until(SimTime(6h));

  BOOST_TEST(q.deliverer.attempts.size() == 1u);
  BOOST_TEST(q.bounces.bounces.empty());
  BOOST_TEST(q.gateway().manager.size() == 0u);
  BOOST_TEST(!q.gateway().spool.contains(*id));
  BOOST_TEST(q.queue_events(*id).back() == "deleted");
}

BOOST_AUTO_TEST_CASE(delete_during_a_delivery_takes_effect_when_the_delivery_returns) {
  QueueWorld q;
  q.deliverer.latency = 10s;
  q.deliverer.decide = [](const auto&, const std::string&, int) { return deferred_reply; };
  q.boot();
  const auto id = q.send_default();
  q.world.run_until(SimTime(3s));
  BOOST_TEST_REQUIRE(!gateway::QueueAdmin(q.gateway().spool).remove(*id));

  // Applied at 4 s while the delivery runs; the message goes at 10 s and is not retried.
  q.world.run_until(SimTime(1h));
  BOOST_TEST(q.deliverer.attempts.size() == 1u);
  BOOST_TEST(q.gateway().manager.size() == 0u);
  BOOST_TEST(!q.gateway().spool.contains(*id));
  BOOST_TEST(q.count("queue.deferred") == 0u);
}

BOOST_AUTO_TEST_CASE(release_sends_a_held_message_on_to_delivery) {
  QueueWorld q;
  q.inspector.decide = hold_mallory;
  q.boot();
  const auto id = q.send(q.envelope("mallory@source.example", {"bob@corp.example"}));
  q.world.run_until(SimTime(60s));
  BOOST_TEST(q.deliverer.attempts.empty());

  BOOST_TEST_REQUIRE(!gateway::QueueAdmin(q.gateway().spool).release(*id));
  q.world.run_until(SimTime(2min));

  // Delivered at the next tick, without a second inspection.
  BOOST_TEST((q.deliverer.attempt_times(*id) == std::vector<SimTime>{61s}));
  BOOST_TEST(q.inspector.inspected.size() == 1u);
  BOOST_TEST(!q.gateway().spool.contains(*id));
  BOOST_TEST(q.count("queue.released") == 1u);
}

BOOST_AUTO_TEST_CASE(requests_the_queue_cannot_honour_are_refused_by_the_command) {
  QueueWorld q;
  q.deliverer.decide = [](const auto&, const std::string&, int) { return deferred_reply; };
  q.boot();
  const auto deferred = q.send_default();
  q.world.run_until(SimTime(10s));

  gateway::QueueAdmin admin(q.gateway().spool);
  const QueueId unknown = *QueueId::parse("000000000000");
  BOOST_TEST(admin.release(*deferred) == errno_code(EINVAL));
  BOOST_TEST(admin.release(unknown) == errno_code(ENOENT));
  BOOST_TEST(admin.remove(unknown) == errno_code(ENOENT));
  BOOST_TEST(admin.pending_requests().value() == 0u);
}

BOOST_AUTO_TEST_CASE(requests_made_while_the_gateway_is_down_apply_before_it_delivers) {
  QueueWorld q;
  q.inspector.decide = hold_mallory;
  // The next hop is busy for the first minute only.
  q.deliverer.decide = [&q](const auto&, const std::string&, int) {
    return q.world.now() < SimTime(1min)
               ? deferred_reply
               : std::pair{DeliveryResult::delivered, std::string("250 ok")};
  };
  q.boot();
  const auto held = q.send(q.envelope("mallory@source.example", {"bob@corp.example"}));
  const auto doomed = q.send_default();
  const auto deferred = q.send_default();
  q.world.run_until(SimTime(1min));
  q.node.crash();

  // The operator works on the spool of the stopped gateway.
  gateway::Spool offline(q.node, spool_test::spool_folder);
  gateway::QueueAdmin admin(offline);
  BOOST_TEST_REQUIRE(!admin.release(*held));
  BOOST_TEST_REQUIRE(!admin.remove(*doomed));
  BOOST_TEST_REQUIRE(!admin.flush());
  BOOST_TEST(admin.pending_requests().value() == 3u);

  // At the start all three apply at once, at 2 minutes, though the retry was due at 5.
  q.world.run_until(SimTime(2min));
  q.node.restart();
  q.world.run_until(SimTime(3min));
  BOOST_TEST((q.deliverer.attempt_times(*held) == std::vector<SimTime>{2min}));
  BOOST_TEST((q.deliverer.attempt_times(*doomed) == std::vector<SimTime>{0s}));
  BOOST_TEST((q.deliverer.attempt_times(*deferred) == std::vector<SimTime>{0s, 2min}));
  BOOST_TEST(q.gateway().manager.size() == 0u);
  BOOST_TEST(admin.pending_requests().value() == 0u);
}

BOOST_AUTO_TEST_CASE(list_and_show_describe_each_message) {
  QueueWorld q;
  q.inspector.decide = hold_mallory;
  q.deliverer.decide = [](const auto&, const std::string&, int) { return deferred_reply; };
  q.boot();
  const std::string content =
      "From: mallory@source.example\r\nSubject: invoice\r\n\r\nbody\r\n";
  const auto held = q.send(q.envelope("mallory@source.example", {"bob@corp.example"}), content);
  const auto deferred = q.send_default();
  q.world.run_until(SimTime(1min));

  gateway::QueueAdmin admin(q.gateway().spool);
  auto listing = admin.list();
  BOOST_TEST_REQUIRE(listing.has_value());
  BOOST_TEST_REQUIRE(listing->size() == 2u);
  for (const auto& line : *listing) {
    BOOST_TEST(!line.problem);
    if (line.queue_id == *held) {
      BOOST_TEST((line.state == MessageState::held));
      BOOST_TEST(line.sender == "mallory@source.example");
      BOOST_TEST(line.recipient_count == 1u);
      BOOST_TEST(line.size_bytes == content.size());
      BOOST_TEST(line.last_error == "malicious attachment");
      BOOST_TEST(!line.next_attempt_time.has_value());
    } else {
      BOOST_TEST((line.queue_id == *deferred));
      BOOST_TEST((line.state == MessageState::deferred));
      BOOST_TEST(line.recipient_count == 2u);
      BOOST_TEST((line.next_attempt_time == q.world.wall_now() + 4min));
      BOOST_TEST(line.last_error == deferred_reply.second);
    }
  }

  auto details = admin.show(*held);
  BOOST_TEST_REQUIRE(details.has_value());
  BOOST_TEST(details->header_section == "From: mallory@source.example\r\nSubject: invoice\r\n");
  BOOST_TEST(!details->header_truncated);
  BOOST_TEST(details->envelope.recipients == std::vector<std::string>{"bob@corp.example"});
  BOOST_TEST((details->record.state == MessageState::held));
  BOOST_TEST(details->size_bytes == content.size());
}

BOOST_AUTO_TEST_CASE(a_damaged_request_is_rejected_and_removed) {
  QueueWorld q;
  q.boot();
  gateway::Spool& spool = q.gateway().spool;
  BOOST_TEST_REQUIRE(!runtime::write_file_durably(
      q.node.storage(), spool.control_folder(), "00000000000000000001.garbage",
      "format=mta-control/1\nverb=flush\nqueue_id=\ncheck=00000000\n"));
  q.world.run_until(SimTime(2s));

  BOOST_TEST(q.count("queue.control_rejected") == 1u);
  BOOST_TEST(q.count("queue.flushed") == 0u);
  BOOST_TEST(q.node.storage().list(spool.control_folder()).value().empty());
}

BOOST_AUTO_TEST_CASE(a_control_request_reads_back_and_refuses_what_does_not_fit_its_verb) {
  using gateway::ControlRequest;
  using gateway::ControlVerb;
  const QueueId id = *QueueId::parse("AbC123xyZ789");
  for (const ControlRequest& request :
       {ControlRequest{ControlVerb::flush, std::nullopt}, ControlRequest{ControlVerb::remove, id},
        ControlRequest{ControlVerb::release, id}}) {
    auto decoded = gateway::decode_control_request(gateway::encode_control_request(request));
    BOOST_TEST_REQUIRE(decoded.has_value());
    BOOST_TEST((*decoded == request));
  }
  // A flush that names a message, or a delete that names none, is not a request.
  for (const ControlRequest& bad : {ControlRequest{ControlVerb::flush, id},
                                    ControlRequest{ControlVerb::remove, std::nullopt}}) {
    auto decoded = gateway::decode_control_request(gateway::encode_control_request(bad));
    BOOST_TEST((!decoded && decoded.error() == spool_test::corrupt()));
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
