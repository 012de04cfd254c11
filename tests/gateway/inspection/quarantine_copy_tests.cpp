// The quarantine copy on its own: what it holds, how it chooses its boundary, and that a
// crash or a failed write never leaves a copy that inspection would strip in turn.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/inspection/quarantine_copy.hpp"
#include "gateway/smtp/message_fields.hpp"
#include "tests/gateway/spool/spool_fixture.hpp"

namespace {

using gateway::MessageState;
using gateway::inspection::QuarantineNote;
using gateway::inspection::spool_quarantine_copy;
using spool_test::SpoolNode;

constexpr std::size_t spool_chunk = gateway::SpoolReader::chunk_size_bytes;

QuarantineNote note_for(const gateway::QueuedMessage& original) {
  QuarantineNote note;
  note.reporting_mta = "gw.example.net";
  note.address = "Vault@corp.example";
  note.original_queue_id = original.id().text();
  note.original = original.envelope;
  note.file_outcomes = {"\"a.exe\" sha256=00; malicious; removed", "\"b.txt\" sha256=11; benign"};
  note.now = runtime::WallTime(std::chrono::seconds(1767229200));
  return note;
}

struct Copied {
  gateway::QueuedMessage copy;
  std::string content;
};

// Spools `content` as an original and makes its copy with `random`.
Copied copy_of(SpoolNode& s, const std::string& content, runtime::Random& random) {
  auto original =
      spool_test::spool_message(*s.spool, spool_test::sample_envelope(), content, spool_chunk);
  BOOST_TEST_REQUIRE(original.has_value());
  auto reader = s.spool->open_message(original->id());
  BOOST_TEST_REQUIRE(reader.has_value());
  auto copy = spool_quarantine_copy(*s.spool, *reader, note_for(*original), random);
  BOOST_TEST_REQUIRE(copy.has_value(), copy.error().message());
  auto copied = spool_test::read_content(*s.spool, copy->id());
  BOOST_TEST_REQUIRE(copied.has_value());
  return {std::move(*copy), std::move(*copied)};
}

// The boundary the copy's Content-Type names.
std::string boundary_of(const std::string& content) {
  const std::string key = "boundary=\"";
  const auto at = content.find(key) + key.size();
  return content.substr(at, content.find('"', at) - at);
}

// The bytes of the message/rfc822 part, up to the close delimiter.
std::string attached_original(const std::string& content) {
  const auto part = content.find("Content-Type: message/rfc822\r\n");
  const auto body = content.find("\r\n\r\n", part) + 4;
  const auto end = content.rfind("\r\n--" + boundary_of(content) + "--\r\n");
  return content.substr(body, end - body);
}

BOOST_AUTO_TEST_SUITE(inspection_quarantine_copy)

BOOST_AUTO_TEST_CASE(the_copy_holds_the_note_and_the_original_exactly) {
  SpoolNode s;
  runtime::Random random(7);
  const std::string original = spool_test::sample_content();
  const Copied copied = copy_of(s, original, random);

  BOOST_TEST(attached_original(copied.content) == original);
  BOOST_TEST(copied.content.ends_with("\r\n--" + boundary_of(copied.content) + "--\r\n"));
  BOOST_TEST(copied.copy.envelope.mail_from.empty());
  BOOST_TEST(copied.copy.envelope.recipients == std::vector<std::string>{"Vault@corp.example"});
  BOOST_TEST((copied.copy.envelope.body_type == gateway::BodyType::seven_bit));
  BOOST_TEST(copied.copy.envelope.declared_size_bytes.value_or(0) == copied.content.size());
  BOOST_TEST(copied.content.find("Content-Transfer-Encoding") == std::string::npos);

  const std::vector<std::string> lines{
      "From: Mail Gateway <MAILER-DAEMON@gw.example.net>",
      "To: <Vault@corp.example>",
      "Date: Thu, 01 Jan 2026 01:00:00 +0000",
      "Auto-Submitted: auto-generated",
      "Received:    Thu, 01 Jan 2026 00:00:00 +0000",
      "Client:      mx.source.example (203.0.113.5:41000), over TLS TLSv1.3 "
      "TLS_AES_256_GCM_SHA384",
      "Sender:      <alice@source.example>",
      "Recipients:  <bob@corp.example>",
      "             <carol@corp.example>",
      "  \"a.exe\" sha256=00; malicious; removed",
      "  \"b.txt\" sha256=11; benign",
  };
  for (const std::string& line : lines) {
    BOOST_TEST(("\r\n" + copied.content).find("\r\n" + line + "\r\n") != std::string::npos, line);
  }
}

BOOST_AUTO_TEST_CASE(the_copy_is_ready_before_its_commit_and_after_a_crash) {
  SpoolNode s;
  runtime::Random random(7);
  const Copied copied = copy_of(s, spool_test::sample_content(), random);
  BOOST_TEST((copied.copy.record.state == MessageState::ready));
  auto stored = s.spool->load_state(copied.copy.id());
  BOOST_TEST_REQUIRE((stored.has_value() && stored->has_value()));
  BOOST_TEST(((*stored)->state == MessageState::ready));

  s.crash_and_restart();
  auto recovered = s.spool->recover();
  BOOST_TEST_REQUIRE(recovered.has_value());
  BOOST_TEST_REQUIRE(recovered->size() == 2u);
  for (const gateway::QueuedMessage& message : *recovered) {
    const bool is_copy = message.id() == copied.copy.id();
    BOOST_TEST((message.record.state == (is_copy ? MessageState::ready : MessageState::received)));
  }
}

BOOST_AUTO_TEST_CASE(a_copy_that_fails_to_commit_leaves_neither_content_nor_record) {
  SpoolNode s;
  runtime::Random random(7);
  auto original = spool_test::spool_message(*s.spool, spool_test::sample_envelope(),
                                            spool_test::sample_content());
  BOOST_TEST_REQUIRE(original.has_value());
  auto reader = s.spool->open_message(original->id());
  BOOST_TEST_REQUIRE(reader.has_value());

  s.disk.inject_fault(sim::DiskOp::rename, 2, std::errc::io_error);  // the state record's is 1
  auto copy = spool_quarantine_copy(*s.spool, *reader, note_for(*original), random);
  BOOST_TEST_REQUIRE(!copy.has_value());
  BOOST_TEST(copy.error() == spool_test::code(std::errc::io_error));

  auto ids = s.spool->list_messages();
  BOOST_TEST_REQUIRE(ids.has_value());
  BOOST_TEST(*ids == std::vector<gateway::QueueId>{original->id()});
  auto records = s.spool->storage().list(s.spool->state_folder());
  BOOST_TEST_REQUIRE(records.has_value());
  BOOST_TEST(records->empty());
}

BOOST_AUTO_TEST_CASE(a_boundary_the_original_contains_is_drawn_again_even_across_chunks) {
  // The first draw, written into the original so that it straddles the reader's first
  // chunk seam.
  runtime::Random probe(11);
  const std::string first = gateway::smtp::draw_mime_boundary(probe);
  std::string original = "Subject: seam\r\n\r\n" + spool_test::patterned_content(spool_chunk);
  original.replace(spool_chunk - 10, first.size(), first);
  original += "\r\n";

  SpoolNode s;
  runtime::Random random(11);
  const Copied copied = copy_of(s, original, random);
  BOOST_TEST(boundary_of(copied.content) != first);
  BOOST_TEST(boundary_of(copied.content).starts_with("=_"));
  BOOST_TEST(attached_original(copied.content) == original);
}

BOOST_AUTO_TEST_CASE(an_original_with_eight_bit_bytes_makes_an_eight_bit_copy) {
  SpoolNode s;
  runtime::Random random(7);
  const std::string original =
      "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\nGr\xC3\xBC\xC3\x9F"
      "e aus K\xC3\xB6ln.\r\n";
  const Copied copied = copy_of(s, original, random);
  BOOST_TEST((copied.copy.envelope.body_type == gateway::BodyType::eight_bit_mime));
  BOOST_TEST(copied.content.find("\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + original) !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_same_seed_makes_the_same_copy) {
  SpoolNode first_node;
  SpoolNode second_node;
  runtime::Random first_random(3);
  runtime::Random second_random(3);
  const Copied first = copy_of(first_node, spool_test::sample_content(), first_random);
  const Copied second = copy_of(second_node, spool_test::sample_content(), second_random);
  BOOST_TEST(first.content == second.content);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
