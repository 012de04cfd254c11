// BDAT chunks: exact sizes, LAST, no dot-stuffing, the same bounds and bare line policy.
#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>
#include <vector>

#include "gateway/smtp/bdat_reader.hpp"
#include "tests/gateway/smtp/test_support.hpp"

namespace gateway::smtp {
namespace {

using testing::escaped;

struct Received {
  std::string output;
  ContentFault fault = ContentFault::none;
  bool complete = false;

  friend bool operator==(const Received&, const Received&) = default;
};

std::ostream& operator<<(std::ostream& out, const Received& r) {
  return out << "{output=" << escaped(r.output) << " fault=" << fault_name(r.fault)
             << " complete=" << r.complete << "}";
}

// Sends `chunks` as BDAT chunks, the last one marked LAST, each fed in pieces of
// `piece_octets`; every piece must be consumed whole since it never passes a chunk's end.
Received send(const std::vector<std::string>& chunks, std::size_t piece_octets,
              const ContentLimits& limits = {}) {
  Received received;
  BdatReader reader(limits, [&received](std::string_view chunk) { received.output += chunk; });
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    reader.begin_chunk(chunks[i].size(), i + 1 == chunks.size());
    for (std::size_t start = 0; start < chunks[i].size(); start += piece_octets) {
      const std::string_view piece = std::string_view(chunks[i]).substr(start, piece_octets);
      BOOST_TEST_REQUIRE(reader.feed(piece) == piece.size());
    }
    BOOST_TEST_REQUIRE(reader.chunk_complete());
  }
  received.fault = reader.content().fault();
  received.complete = reader.message_complete();
  return received;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_bdat)

BOOST_AUTO_TEST_CASE(passes_chunks_through_without_dot_handling) {
  struct Case {
    const char* name;
    std::vector<std::string> chunks;
    std::string output;
    ContentFault fault;
  };
  const std::vector<Case> cases = {
      {"one chunk",
       {"Subject: x\r\n\r\nbody\r\n"},
       "Subject: x\r\n\r\nbody\r\n",
       ContentFault::none},
      {"dots stay", {"..x\r\n.\r\n"}, "..x\r\n.\r\n", ContentFault::none},
      {"terminator look-alike is content",
       {"a\r\n.\r\nMAIL FROM:<a@b>\r\n"},
       "a\r\n.\r\nMAIL FROM:<a@b>\r\n",
       ContentFault::none},
      {"CRLF split across chunks", {"a\r", "\nb\r\n"}, "a\r\nb\r\n", ContentFault::none},
      {"empty chunks between", {"a\r\n", "", "b\r\n"}, "a\r\nb\r\n", ContentFault::none},
      {"empty last chunk", {"a\r\n", ""}, "a\r\n", ContentFault::none},
      {"missing final CRLF is added", {"a\r\nb"}, "a\r\nb\r\n", ContentFault::none},
      {"empty message", {""}, "", ContentFault::none},
      {"bare LF", {"a\nb\r\n"}, "a", ContentFault::bare_line_ending},
      {"bare CR at the very end", {"a\r"}, "a", ContentFault::bare_line_ending},
      {"bare CR at a chunk end", {"a\r", "b\r\n"}, "a", ContentFault::bare_line_ending},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const Received received = send(c.chunks, std::numeric_limits<std::size_t>::max());
      BOOST_TEST(received.complete);
      BOOST_TEST(escaped(received.output) == escaped(c.output));
      BOOST_TEST(received.fault == c.fault);
      for (std::size_t piece = 1; piece < 8; ++piece) {
        BOOST_TEST_CONTEXT("pieces of " << piece) {
          BOOST_TEST(send(c.chunks, piece) == received);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(consumes_exactly_the_announced_octets) {
  std::string output;
  BdatReader reader({}, [&output](std::string_view chunk) { output += chunk; });
  reader.begin_chunk(5, false);
  BOOST_TEST(reader.feed("abc\r\nBDAT 3 LAST\r\n") == 5u);
  BOOST_TEST(reader.chunk_complete());
  BOOST_TEST(!reader.message_complete());

  reader.begin_chunk(4, true);
  BOOST_TEST(reader.feed("x") == 1u);
  BOOST_TEST(reader.chunk_octets_remaining() == 3u);
  BOOST_TEST(reader.feed("y\r\nQUIT\r\n") == 3u);
  BOOST_TEST(reader.message_complete());
  BOOST_TEST(output == "abc\r\nxy\r\n");
  BOOST_TEST(reader.announced_octets() == 9u);
}

BOOST_AUTO_TEST_CASE(zero_octet_last_chunk_ends_the_message_at_once) {
  BdatReader reader({}, {});
  reader.begin_chunk(0, true);
  BOOST_TEST(reader.chunk_complete());
  BOOST_TEST(reader.message_complete());
  BOOST_TEST(!reader.rejection().has_value());
}

BOOST_AUTO_TEST_CASE(applies_the_same_bounds_as_data) {
  // Size: at the limit and one past it, across two chunks.
  ContentLimits limits;
  limits.message_octets_max = 10;
  BOOST_TEST(send({"\r\n1234", "56\r\n"}, 3, limits).fault == ContentFault::none);
  BOOST_TEST(send({"\r\n1234", "567\r\n"}, 3, limits).fault == ContentFault::message_too_big);

  // Line length.
  limits = ContentLimits{};
  limits.line_octets_max = 6;
  BOOST_TEST(send({"\r\n123456\r\n"}, 3, limits).fault == ContentFault::none);
  BOOST_TEST(send({"\r\n1234567\r\n"}, 3, limits).fault == ContentFault::line_too_long);

  // Received fields.
  limits = ContentLimits{};
  limits.received_fields_max = 1;
  BOOST_TEST(send({"Received: a\r\n\r\n"}, 3, limits).fault == ContentFault::none);
  BOOST_TEST(send({"Received: a\r\n", "Received: b\r\n"}, 3, limits).fault ==
             ContentFault::mail_loop);

  const std::optional<Reply> reply = content_refusal(ContentFault::message_too_big);
  BOOST_TEST(reply->code == 552);
  BOOST_TEST(reply->enhanced == "5.3.4");
}

BOOST_AUTO_TEST_CASE(reports_a_rejection_after_the_chunk_that_caused_it) {
  ContentLimits limits;
  limits.message_octets_max = 4;
  BdatReader reader(limits, {});
  reader.begin_chunk(4, false);
  reader.feed("ab\r\n");
  BOOST_TEST(!reader.rejection().has_value());
  reader.begin_chunk(3, false);
  reader.feed("cd\r");
  BOOST_TEST_REQUIRE(reader.rejection().has_value());
  BOOST_TEST(reader.rejection()->code == 552);
}

BOOST_AUTO_TEST_CASE(announced_total_saturates_instead_of_wrapping) {
  BdatReader reader({}, {});
  const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max() - 1;
  reader.begin_chunk(huge, false);
  BOOST_TEST(reader.feed("a") == 1u);
  BOOST_TEST(reader.chunk_octets_remaining() == huge - 1);
  BOOST_TEST(reader.announced_octets() == huge);
}

BOOST_AUTO_TEST_CASE(announced_total_saturates_over_several_chunks) {
  BdatReader reader({}, {});
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  reader.begin_chunk(1, false);
  BOOST_TEST(reader.feed("a") == 1u);
  reader.begin_chunk(max, false);
  BOOST_TEST(reader.announced_octets() == max);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace gateway::smtp
