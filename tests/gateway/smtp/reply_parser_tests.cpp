// The client-side reply parser: multi-line replies, enhanced status codes, pipelined replies
// in one read, arbitrary splits, and every grammar break and bound.
#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "gateway/smtp/reply_parser.hpp"
#include "tests/gateway/smtp/test_support.hpp"

namespace gateway::smtp {
namespace {

using testing::escaped;

// Feeds `wire` in pieces of `piece_octets` and collects every reply until a fault.
struct Collected {
  std::vector<Reply> replies;
  ReplyFault fault = ReplyFault::none;
  std::size_t consumed_octets = 0;
};

Collected collect(std::string_view wire, std::size_t piece_octets, ReplyParserLimits limits = {}) {
  Collected collected;
  ReplyParser parser(limits);
  for (std::size_t start = 0; start < wire.size(); start += piece_octets) {
    std::string_view piece = wire.substr(start, piece_octets);
    while (!piece.empty()) {
      const ReplyStep step = parser.feed(piece);
      collected.consumed_octets += step.consumed_octets;
      piece.remove_prefix(step.consumed_octets);
      if (step.status == ReplyStatus::malformed) {
        collected.fault = parser.fault();
        return collected;
      }
      if (step.status == ReplyStatus::complete) {
        collected.replies.push_back(parser.take_reply());
      }
    }
  }
  return collected;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_reply_parser)

BOOST_AUTO_TEST_CASE(parses_well_formed_replies) {
  struct Case {
    const char* name;
    std::string wire;
    Reply expected;
  };
  const std::vector<Case> cases = {
      {"greeting", "220 mx.example ESMTP\r\n", {220, "", {"mx.example ESMTP"}}},
      {"enhanced status", "250 2.1.5 Recipient OK\r\n", {250, "2.1.5", {"Recipient OK"}}},
      {"code only", "250\r\n", {250, "", {""}}},
      {"code and space", "250 \r\n", {250, "", {""}}},
      {"status only", "250 2.0.0\r\n", {250, "2.0.0", {""}}},
      {"multi-line EHLO",
       "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n",
       {250, "", {"mx.example", "PIPELINING", "SIZE 1000", "8BITMIME"}}},
      {"status on every line",
       "550-5.7.1 no\r\n550-5.7.1 really\r\n550 5.7.1 not\r\n",
       {550, "5.7.1", {"no", "really", "not"}}},
      {"status only on the first line",
       "451-4.3.0 first\r\n451 second\r\n",
       {451, "4.3.0", {"first", "second"}}},
      {"status of another class stays text", "250 5.0.0 odd\r\n", {250, "", {"5.0.0 odd"}}},
      {"malformed status stays text", "250 2.0 OK\r\n", {250, "", {"2.0 OK"}}},
      {"status glued to text stays text", "250 2.0.0OK\r\n", {250, "", {"2.0.0OK"}}},
      {"bare LF line ending", "250-a\n250 b\n", {250, "", {"a", "b"}}},
      {"intermediate", "354 go ahead\r\n", {354, "", {"go ahead"}}},
      {"empty continuation", "250-\r\n250 end\r\n", {250, "", {"", "end"}}},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const Collected collected = collect(c.wire, c.wire.size());
      BOOST_TEST(collected.fault == ReplyFault::none);
      BOOST_TEST_REQUIRE(collected.replies.size() == 1u);
      BOOST_TEST(collected.replies[0] == c.expected);
      BOOST_TEST(collected.consumed_octets == c.wire.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(stops_after_each_pipelined_reply) {
  const std::string wire = "250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 go\r\n";
  ReplyParser parser;

  const ReplyStep first = parser.feed(wire);
  BOOST_TEST(first.status == ReplyStatus::complete);
  BOOST_TEST(first.consumed_octets == 14u);
  BOOST_TEST(parser.take_reply().enhanced == "2.1.0");

  const ReplyStep second = parser.feed(std::string_view(wire).substr(14));
  BOOST_TEST(second.status == ReplyStatus::complete);
  BOOST_TEST(parser.take_reply().enhanced == "2.1.5");

  const ReplyStep third = parser.feed(std::string_view(wire).substr(28));
  BOOST_TEST(third.status == ReplyStatus::complete);
  BOOST_TEST(parser.take_reply().code == 354);
}

BOOST_AUTO_TEST_CASE(any_split_gives_the_same_replies) {
  const std::string wire =
      "250-mx.example greets you\r\n250-SIZE 100\r\n250 STARTTLS\r\n"
      "550 5.7.1 relay denied\r\n221 2.0.0 bye\r\n";
  const Collected whole = collect(wire, wire.size());
  BOOST_TEST_REQUIRE(whole.replies.size() == 3u);

  for (std::size_t piece = 1; piece < wire.size(); ++piece) {
    BOOST_TEST_CONTEXT("pieces of " << piece) {
      const Collected split = collect(wire, piece);
      BOOST_TEST(split.replies == whole.replies);
      BOOST_TEST(split.consumed_octets == wire.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(waits_for_the_end_of_an_unfinished_reply) {
  ReplyParser parser;
  BOOST_TEST((parser.feed("250-first\r\n250 sec").status == ReplyStatus::incomplete));
  BOOST_TEST((parser.feed("ond\r").status == ReplyStatus::incomplete));
  const ReplyStep step = parser.feed("\n");
  BOOST_TEST((step.status == ReplyStatus::complete));
  BOOST_TEST(parser.take_reply().lines == (std::vector<std::string>{"first", "second"}));
}

BOOST_AUTO_TEST_CASE(refuses_replies_that_break_the_grammar) {
  struct Case {
    const char* name;
    std::string wire;
    ReplyFault fault;
  };
  const std::vector<Case> cases = {
      {"two digits", "25\r\n", ReplyFault::bad_code},
      {"letters", "abc\r\n", ReplyFault::bad_code},
      {"empty line", "\r\n", ReplyFault::bad_code},
      {"class 1", "150 x\r\n", ReplyFault::bad_code},
      {"class 6", "600 x\r\n", ReplyFault::bad_code},
      {"second digit 6", "260 x\r\n", ReplyFault::bad_code},
      {"leading space", " 250 x\r\n", ReplyFault::bad_code},
      {"glued text", "250x\r\n", ReplyFault::bad_separator},
      {"tab separator", "250\tx\r\n", ReplyFault::bad_separator},
      {"code changes", "250-a\r\n251 b\r\n", ReplyFault::code_mismatch},
      {"class changes", "250-a\r\n550 b\r\n", ReplyFault::code_mismatch},
      {"bad continuation", "250-a\r\nxyz\r\n", ReplyFault::bad_code},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name << ": " << escaped(c.wire)) {
      const Collected collected = collect(c.wire, c.wire.size());
      BOOST_TEST(collected.replies.empty());
      BOOST_TEST(fault_name(collected.fault) == fault_name(c.fault));
    }
  }
}

BOOST_AUTO_TEST_CASE(bounds_line_length_at_the_limit_and_beyond) {
  const ReplyParserLimits limits{20, 5};

  // 20 octets with CRLF is the longest line allowed; 21 is one too many.
  const std::string at_limit = "250 " + std::string(14, 'x') + "\r\n";
  const std::string beyond = "250 " + std::string(15, 'x') + "\r\n";
  BOOST_TEST_REQUIRE(at_limit.size() == 20u);

  const Collected fits = collect(at_limit, at_limit.size(), limits);
  BOOST_TEST(fits.fault == ReplyFault::none);
  BOOST_TEST(fits.replies.size() == 1u);

  const Collected too_long = collect(beyond, beyond.size(), limits);
  BOOST_TEST(fault_name(too_long.fault) == "line_too_long");

  // A bare-LF line is measured as if it ended in CRLF.
  const std::string bare_lf_beyond = "250 " + std::string(15, 'x') + "\n";
  const Collected bare = collect(bare_lf_beyond, bare_lf_beyond.size(), limits);
  BOOST_TEST(fault_name(bare.fault) == "line_too_long");
}

BOOST_AUTO_TEST_CASE(bounds_line_count_at_the_limit_and_beyond) {
  const ReplyParserLimits limits{100, 3};
  const std::string three = "250-a\r\n250-b\r\n250 c\r\n";
  const std::string four = "250-a\r\n250-b\r\n250-c\r\n250 d\r\n";

  BOOST_TEST(collect(three, three.size(), limits).replies.size() == 1u);
  BOOST_TEST(fault_name(collect(four, four.size(), limits).fault) == "too_many_lines");
}

BOOST_AUTO_TEST_CASE(stays_failed_after_a_malformed_reply) {
  ReplyParser parser;
  BOOST_TEST((parser.feed("xyz\r\n").status == ReplyStatus::malformed));
  const ReplyStep after = parser.feed("250 OK\r\n");
  BOOST_TEST((after.status == ReplyStatus::malformed));
  BOOST_TEST(after.consumed_octets == 0u);
  BOOST_TEST(fault_name(parser.fault()) == "bad_code");
}

BOOST_AUTO_TEST_CASE(an_endless_line_is_not_buffered) {
  // Megabytes without a line ending end as one line_too_long fault once the LF arrives.
  ReplyParser parser;
  const std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 32; ++i) {
    BOOST_TEST_REQUIRE((parser.feed(chunk).status == ReplyStatus::incomplete));
  }
  BOOST_TEST((parser.feed("\n").status == ReplyStatus::malformed));
  BOOST_TEST(fault_name(parser.fault()) == "line_too_long");
}

BOOST_AUTO_TEST_CASE(random_bytes_never_overrun_or_lose_track) {
  // Random reply-like bytes, fixed seed: the parser consumes only what it is given, and
  // a reply it completes has a valid code and at least one line.
  std::mt19937 random(3463);
  const std::vector<std::string> fragments = {"250",
                                              "-",
                                              " ",
                                              "2.0.0",
                                              "550",
                                              "5.7.1",
                                              "\r\n",
                                              "\n",
                                              "\r",
                                              "x",
                                              "25",
                                              "9",
                                              std::string(1, '\0')};
  std::uniform_int_distribution<std::size_t> count(0, 20);
  std::uniform_int_distribution<std::size_t> pick(0, fragments.size() - 1);
  for (int round = 0; round < 5000; ++round) {
    std::string wire;
    for (std::size_t i = count(random); i > 0; --i) {
      wire += fragments[pick(random)];
    }
    BOOST_TEST_CONTEXT("round " << round << ": " << escaped(wire)) {
      ReplyParser parser(ReplyParserLimits{16, 3});
      std::string_view rest = wire;
      while (!rest.empty()) {
        const ReplyStep step = parser.feed(rest);
        BOOST_TEST_REQUIRE(step.consumed_octets <= rest.size());
        rest.remove_prefix(step.consumed_octets);
        if (step.status == ReplyStatus::malformed) {
          BOOST_TEST((parser.fault() != ReplyFault::none));
          break;
        }
        if (step.status == ReplyStatus::incomplete) {
          BOOST_TEST(rest.empty());
          break;
        }
        const Reply reply = parser.take_reply();
        BOOST_TEST((reply.code >= 200 && reply.code <= 559));
        BOOST_TEST(!reply.lines.empty());
        BOOST_TEST(reply.lines.size() <= 3u);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace gateway::smtp
