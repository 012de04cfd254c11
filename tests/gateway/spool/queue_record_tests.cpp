// Queue state records: what is written reads back equal, and a record that is damaged,
// inconsistent or of another version reads as corrupt_record.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/spool/queue_record.hpp"
#include "gateway/spool/record_codec.hpp"
#include "spool_fixture.hpp"

namespace {

using gateway::MessageState;
using gateway::QueueId;
using gateway::QueueRecord;
using gateway::RecipientState;

QueueId id(std::string_view text) { return *QueueId::parse(text); }

QueueRecord deferred_record() {
  QueueRecord record(id("AbC123xyZ789"));
  record.state = MessageState::deferred;
  record.attempts = 3;
  record.next_attempt_time = runtime::WallTime(std::chrono::microseconds(1767229200123456));
  record.last_error = "451 4.4.1 no answer from 10.0.0.2:25";
  record.recipients = {{"bob@corp.example", RecipientState::delivered, "250 2.0.0 ok"},
                       {"carol@corp.example", RecipientState::pending, "451 4.4.1 later"},
                       {"dave@corp.example", RecipientState::bounced, "550 5.1.1 no such user"}};
  return record;
}

// A record text with fields as given, closed by a valid check line.
std::string record_text(const std::vector<std::pair<std::string, std::string>>& fields) {
  gateway::RecordWriter writer;
  for (const auto& [key, value] : fields) {
    writer.add(key, value);
  }
  return std::move(writer).finish();
}

BOOST_AUTO_TEST_SUITE(spool)

BOOST_AUTO_TEST_CASE(queue_ids_are_twelve_alphanumerics_and_parse_strictly) {
  runtime::Random random(7);
  const QueueId drawn = QueueId::generate(random);
  BOOST_TEST(drawn.text().size() == 12u);
  BOOST_TEST(QueueId::parse(drawn.text()).has_value());

  for (std::string_view bad : {"", "AbC123xyZ78", "AbC123xyZ7890", "AbC123xyZ78!",
                               "../../etc/pw", ".incoming.ab", "AbC123xyZ78 "}) {
    BOOST_TEST(!QueueId::parse(bad).has_value(), "accepted " << bad);
  }
}

BOOST_AUTO_TEST_CASE(a_state_record_reads_back_equal) {
  const QueueRecord record = deferred_record();
  auto decoded = gateway::decode_queue_record(gateway::encode_queue_record(record));
  BOOST_TEST_REQUIRE(decoded.has_value());
  BOOST_TEST((*decoded == record));
}

BOOST_AUTO_TEST_CASE(a_fresh_record_is_received_with_every_recipient_pending) {
  const auto envelope = spool_test::sample_envelope();
  const QueueRecord record = QueueRecord::fresh(id("AbC123xyZ789"), envelope);
  BOOST_TEST((record.state == MessageState::received));
  BOOST_TEST(record.pending_count() == envelope.recipients.size());
  BOOST_TEST(record.matches(envelope));
  BOOST_TEST(record.consistent());
}

BOOST_AUTO_TEST_CASE(inconsistent_or_foreign_state_records_read_as_corrupt) {
  auto fields = [](std::string format, std::string state, std::string next, std::string count,
                   std::vector<std::string> recipient_states) {
    std::vector<std::pair<std::string, std::string>> f = {
        {"format", format}, {"queue_id", "AbC123xyZ789"}, {"state", state},
        {"attempts", "1"},  {"next_attempt_us", next},     {"last_error", ""},
        {"recipient_count", count}};
    for (const auto& recipient_state : recipient_states) {
      f.push_back({"recipient", "bob@corp.example"});
      f.push_back({"recipient_state", recipient_state});
      f.push_back({"recipient_reply", ""});
    }
    return f;
  };
  struct Case {
    const char* name;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"another version", record_text(fields("mta-queue/2", "ready", "", "1", {"pending"}))},
      {"an unknown state", record_text(fields("mta-queue/1", "lost", "", "1", {"pending"}))},
      {"deferred without a time", record_text(fields("mta-queue/1", "deferred", "", "1",
                                                     {"pending"}))},
      {"a time while ready", record_text(fields("mta-queue/1", "ready", "5", "1", {"pending"}))},
      {"done with a pending recipient",
       record_text(fields("mta-queue/1", "done", "", "1", {"pending"}))},
      {"no recipients", record_text(fields("mta-queue/1", "ready", "", "0", {}))},
      {"fewer recipients than counted",
       record_text(fields("mta-queue/1", "ready", "", "2", {"pending"}))},
      {"an unknown recipient state",
       record_text(fields("mta-queue/1", "ready", "", "1", {"lost"}))},
      {"a bad queue id", [] {
         auto text = gateway::encode_queue_record(deferred_record());
         text.replace(text.find("AbC123xyZ789"), 12, "AbC123xyZ78!");
         return text;
       }()},
  };
  for (const auto& c : cases) {
    auto decoded = gateway::decode_queue_record(c.text);
    BOOST_TEST((!decoded && decoded.error() == spool_test::corrupt()), c.name);
  }

  // The well-formed version of the same fields does read, so the cases above fail for
  // their own reason.
  BOOST_TEST(gateway::decode_queue_record(
                 record_text(fields("mta-queue/1", "ready", "", "1", {"pending"})))
                 .has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
