// Queue state records in the spool and what recovery makes of them: every committed
// message resumes in its recorded state, except that an inspection under way is redone.
#include <algorithm>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "spool_fixture.hpp"

namespace {

using gateway::MessageState;
using gateway::QueueRecord;
using gateway::RecipientState;
using sim::DiskOp;
using spool_test::SpoolNode;

const runtime::WallTime next_attempt = runtime::WallTime(std::chrono::seconds(1767229200));

// A record in `state` for a committed message, consistent with that state.
QueueRecord record_in(const gateway::QueuedMessage& message, MessageState state) {
  QueueRecord record = message.record;
  record.state = state;
  record.attempts = state == MessageState::deferred ? 2 : 0;
  if (state == MessageState::deferred) {
    record.next_attempt_time = next_attempt;
    record.recipients[0].state = RecipientState::delivered;
    record.recipients[0].reply = "250 2.0.0 ok";
    record.recipients[1].reply = "451 4.4.1 try later";
    record.last_error = "451 4.4.1 try later";
  }
  if (state == MessageState::held) {
    record.last_error = "malicious attachment";
  }
  if (state == MessageState::done) {
    for (auto& recipient : record.recipients) {
      recipient.state = RecipientState::delivered;
    }
  }
  return record;
}

BOOST_AUTO_TEST_SUITE(spool)

BOOST_AUTO_TEST_CASE(every_committed_message_resumes_in_its_recorded_state_after_a_crash) {
  struct Case {
    MessageState recorded;
    MessageState resumed;
  };
  const std::vector<Case> cases = {
      {MessageState::received, MessageState::received},
      {MessageState::inspecting, MessageState::received},
      {MessageState::ready, MessageState::ready},
      {MessageState::deferred, MessageState::deferred},
      {MessageState::held, MessageState::held},
  };
  SpoolNode s;
  std::vector<QueueRecord> written;
  for (const auto& c : cases) {
    auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(),
                                               spool_test::sample_content());
    BOOST_TEST_REQUIRE(committed.has_value());
    written.push_back(record_in(*committed, c.recorded));
    BOOST_TEST_REQUIRE(!s.spool->save_state(written.back()));
  }

  s.crash_and_restart();
  auto recovered = s.spool->recover();
  BOOST_TEST_REQUIRE(recovered.has_value());
  BOOST_TEST_REQUIRE(recovered->size() == cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    // Recovery lists by id; find each written record's message.
    auto found = std::find_if(recovered->begin(), recovered->end(),
                              [&](const auto& m) { return m.id() == written[i].queue_id; });
    BOOST_TEST_REQUIRE((found != recovered->end()));
    QueueRecord expected = written[i];
    expected.state = cases[i].resumed;
    BOOST_TEST((found->record == expected), gateway::message_state_name(cases[i].recorded));
  }
}

BOOST_AUTO_TEST_CASE(rewritten_content_resumes_as_its_inspection_decided) {
  // The queue recorded the start of an inspection, the inspection committed its rewrite,
  // and the node crashed before the queue saved the outcome.
  const std::vector<gateway::InspectionMark> marks{
      {MessageState::ready, ""},
      {MessageState::held, "attachments without a verdict"},
  };
  for (const auto& mark : marks) {
    SpoolNode s;
    auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(),
                                               spool_test::sample_content());
    BOOST_TEST_REQUIRE(committed.has_value());
    BOOST_TEST_REQUIRE(!s.spool->save_state(record_in(*committed, MessageState::inspecting)));
    auto writer = s.spool->begin_replacement(committed->id(), committed->envelope, mark);
    BOOST_TEST_REQUIRE(writer.has_value());
    BOOST_TEST_REQUIRE(!writer->append("X-Threat-Emulation: no-files\r\n"));
    BOOST_TEST_REQUIRE(!writer->append(spool_test::sample_content()));
    BOOST_TEST_REQUIRE(writer->commit().has_value());

    s.crash_and_restart();
    auto reader = s.spool->open_message(committed->id());
    BOOST_TEST_REQUIRE(reader.has_value());
    BOOST_TEST((reader->inspected() == mark));
    auto recovered = s.spool->recover();
    BOOST_TEST_REQUIRE(recovered.has_value());
    BOOST_TEST_REQUIRE(recovered->size() == 1u);
    BOOST_TEST((recovered->front().record.state == mark.state));
    BOOST_TEST(recovered->front().record.last_error == mark.reason);
    BOOST_TEST(s.traced("spool.inspection_resumed"));
  }
}

BOOST_AUTO_TEST_CASE(content_as_received_carries_no_inspection) {
  SpoolNode s;
  auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(),
                                             spool_test::sample_content());
  BOOST_TEST_REQUIRE(committed.has_value());
  auto reader = s.spool->open_message(committed->id());
  BOOST_TEST_REQUIRE(reader.has_value());
  BOOST_TEST(!reader->inspected().has_value());
}

BOOST_AUTO_TEST_CASE(a_message_without_a_state_record_resumes_as_received) {
  SpoolNode s;
  auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), "x\r\n");
  BOOST_TEST_REQUIRE(committed.has_value());
  BOOST_TEST(!s.node.storage().exists(s.spool->state_path(committed->id())));

  s.crash_and_restart();
  auto recovered = s.spool->recover();
  BOOST_TEST_REQUIRE(recovered.has_value());
  BOOST_TEST_REQUIRE(recovered->size() == 1u);
  BOOST_TEST((recovered->front().record ==
              QueueRecord::fresh(committed->id(), spool_test::sample_envelope())));
}

BOOST_AUTO_TEST_CASE(a_done_message_and_an_orphan_state_record_are_removed) {
  SpoolNode s;
  auto done = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), "x\r\n");
  auto orphan = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), "y\r\n");
  BOOST_TEST_REQUIRE((done.has_value() && orphan.has_value()));
  BOOST_TEST_REQUIRE(!s.spool->save_state(record_in(*done, MessageState::done)));
  BOOST_TEST_REQUIRE(!s.spool->save_state(record_in(*orphan, MessageState::ready)));

  // A removal cut short after the content went leaves the state record behind.
  BOOST_TEST_REQUIRE(!s.node.storage().remove(s.spool->message_path(orphan->id())));
  BOOST_TEST_REQUIRE(!s.node.storage().sync_directory(s.spool->messages_folder()));

  s.crash_and_restart();
  auto recovered = s.spool->recover();
  BOOST_TEST_REQUIRE(recovered.has_value());
  BOOST_TEST(recovered->empty());
  BOOST_TEST(s.node.storage().list(s.spool->state_folder()).value().empty());
  BOOST_TEST(s.node.storage().list(s.spool->messages_folder()).value().empty());
  BOOST_TEST(s.traced("spool.orphan_state"));
}

BOOST_AUTO_TEST_CASE(a_corrupt_state_record_is_detected_and_the_message_kept_as_received) {
  SpoolNode s;
  auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), "x\r\n");
  BOOST_TEST_REQUIRE(committed.has_value());
  BOOST_TEST_REQUIRE(!s.spool->save_state(record_in(*committed, MessageState::held)));

  // One byte of the record changes.
  const std::string path = s.spool->state_path(committed->id());
  std::string text = runtime::read_file(s.node.storage(), path).value();
  text[text.find("state=held") + 6] = 'k';
  BOOST_TEST_REQUIRE(!runtime::write_file_durably(s.node.storage(), s.spool->state_folder(),
                                                  committed->id().text(), text));

  auto loaded = s.spool->load_state(committed->id());
  BOOST_TEST((!loaded && loaded.error() == spool_test::corrupt()));
  auto recovered = s.spool->recover();
  BOOST_TEST_REQUIRE(recovered.has_value());
  BOOST_TEST_REQUIRE(recovered->size() == 1u);
  BOOST_TEST((recovered->front().record.state == MessageState::received));
  BOOST_TEST(s.traced("spool.state_unreadable"));
}

BOOST_AUTO_TEST_CASE(an_inconsistent_state_record_is_refused_and_the_old_one_kept) {
  SpoolNode s;
  auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), "x\r\n");
  BOOST_TEST_REQUIRE(committed.has_value());
  const QueueRecord held = record_in(*committed, MessageState::held);
  BOOST_TEST_REQUIRE(!s.spool->save_state(held));

  QueueRecord broken = held;
  broken.state = MessageState::deferred;  // deferred, but no next attempt time
  BOOST_TEST(s.spool->save_state(broken) == spool_test::corrupt());
  BOOST_TEST((s.spool->load_state(committed->id()).value() == held));
}

BOOST_AUTO_TEST_CASE(a_state_change_survives_a_crash_and_a_failed_one_keeps_the_old) {
  SpoolNode s;
  auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), "x\r\n");
  BOOST_TEST_REQUIRE(committed.has_value());
  const QueueRecord ready = record_in(*committed, MessageState::ready);
  BOOST_TEST_REQUIRE(!s.spool->save_state(ready));

  // The next change fails at its rename: the ready record must still be there.
  s.disk.inject_fault(DiskOp::rename, 1, std::errc::io_error);
  BOOST_TEST(s.spool->save_state(record_in(*committed, MessageState::deferred)));
  s.crash_and_restart();
  BOOST_TEST((s.spool->load_state(committed->id()).value() == ready));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
