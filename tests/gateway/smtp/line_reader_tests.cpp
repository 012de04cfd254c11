// Line framing for commands (CRLF only) and replies (LF or CRLF), with its bound.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "gateway/smtp/line_reader.hpp"
#include "tests/gateway/smtp/test_support.hpp"

namespace gateway::smtp {
namespace {

using testing::escaped;

// What the reader reports, line by line, for `input` fed in pieces of `piece_octets`.
struct Framed {
  std::vector<std::string> lines;  // "!" marks a too-long line
  std::size_t consumed_octets = 0;
  bool partial = false;
};

constexpr const char* too_long_mark = "!";

Framed frame(std::string_view input, std::size_t piece_octets, std::size_t line_octets_max,
             LineEnding ending) {
  Framed framed;
  LineReader reader(line_octets_max, ending);
  for (std::size_t start = 0; start < input.size(); start += piece_octets) {
    std::string_view piece = input.substr(start, piece_octets);
    while (!piece.empty()) {
      const LineStep step = reader.feed(piece);
      framed.consumed_octets += step.consumed_octets;
      piece.remove_prefix(step.consumed_octets);
      if (step.status == LineStatus::line) {
        framed.lines.emplace_back(reader.line());
      } else if (step.status == LineStatus::too_long) {
        framed.lines.emplace_back(too_long_mark);
      }
    }
  }
  framed.partial = reader.has_partial_line();
  return framed;
}

struct Case {
  const char* name;
  std::string input;
  std::vector<std::string> lines;
  bool partial;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_line_reader)

BOOST_AUTO_TEST_CASE(command_lines_end_only_at_crlf) {
  const std::vector<Case> cases = {
      {"two commands", "EHLO a\r\nQUIT\r\n", {"EHLO a", "QUIT"}, false},
      {"bare LF stays inside",
       "MAIL FROM:<a>\nRCPT TO:<b>\r\n",
       {"MAIL FROM:<a>\nRCPT TO:<b>"},
       false},
      {"bare CR stays inside", "NOOP\rQUIT\r\n", {"NOOP\rQUIT"}, false},
      {"CR CR LF keeps one CR", "NOOP\r\r\n", {"NOOP\r"}, false},
      {"LF CR LF", "NOOP\n\r\n", {"NOOP\n"}, false},
      {"empty line", "\r\n", {""}, false},
      {"unfinished line", "EHLO a\r\nQU", {"EHLO a"}, true},
      {"unfinished CR", "QUIT\r", {}, true},
  };
  for (const Case& c : cases) {
    for (std::size_t piece = 1; piece <= c.input.size(); ++piece) {
      BOOST_TEST_CONTEXT(c.name << ", pieces of " << piece) {
        const Framed framed = frame(c.input, piece, 512, LineEnding::crlf_only);
        BOOST_TEST(framed.lines == c.lines);
        BOOST_TEST(framed.partial == c.partial);
        BOOST_TEST(framed.consumed_octets == c.input.size());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(reply_lines_end_at_lf_with_or_without_cr) {
  const std::vector<Case> cases = {
      {"CRLF", "250 a\r\n", {"250 a"}, false},
      {"bare LF", "250-a\n250 b\n", {"250-a", "250 b"}, false},
      {"bare CR stays inside", "250 a\rb\n", {"250 a\rb"}, false},
  };
  for (const Case& c : cases) {
    for (std::size_t piece = 1; piece <= c.input.size(); ++piece) {
      BOOST_TEST_CONTEXT(c.name << ", pieces of " << piece) {
        const Framed framed = frame(c.input, piece, 512, LineEnding::lf_or_crlf);
        BOOST_TEST(framed.lines == c.lines);
        BOOST_TEST(framed.partial == c.partial);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(stops_consuming_at_the_end_of_a_line) {
  LineReader reader(512, LineEnding::crlf_only);
  const LineStep step = reader.feed("DATA\r\nSubject: x\r\n");
  BOOST_TEST((step.status == LineStatus::line));
  BOOST_TEST(step.consumed_octets == 6u);
  BOOST_TEST(reader.line() == "DATA");
}

BOOST_AUTO_TEST_CASE(bounds_lines_at_the_limit_and_beyond) {
  // With a bound of 10, a line of 8 octets and its CRLF fits; 9 octets do not.
  const std::string at_limit = std::string(8, 'x') + "\r\n";
  const std::string beyond = std::string(9, 'x') + "\r\n";
  const std::string input = at_limit + beyond + at_limit + std::string(100, 'y') + "\r\nok\r\n";
  const std::vector<std::string> expected = {std::string(8, 'x'), too_long_mark,
                                             std::string(8, 'x'), too_long_mark, "ok"};
  for (std::size_t piece = 1; piece <= input.size(); ++piece) {
    BOOST_TEST_CONTEXT("pieces of " << piece) {
      const Framed framed = frame(input, piece, 10, LineEnding::crlf_only);
      BOOST_TEST(framed.lines == expected);
      BOOST_TEST(!framed.partial);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_too_long_line_ends_only_at_crlf) {
  // A bare LF inside an over-long command line does not end the discarding early.
  const std::string input = std::string(20, 'x') + "\nQUIT\r\nNOOP\r\n";
  const Framed framed = frame(input, input.size(), 10, LineEnding::crlf_only);
  BOOST_TEST(framed.lines == (std::vector<std::string>{too_long_mark, "NOOP"}));
}

BOOST_AUTO_TEST_CASE(bare_lf_reply_line_is_measured_like_crlf) {
  // Eight octets plus LF would fit in nine, but the bound counts a two-octet ending.
  const Framed fits = frame(std::string(8, 'x') + "\n", 9, 10, LineEnding::lf_or_crlf);
  BOOST_TEST(fits.lines == (std::vector<std::string>{std::string(8, 'x')}));
  const Framed beyond = frame(std::string(9, 'x') + "\n", 10, 10, LineEnding::lf_or_crlf);
  BOOST_TEST(beyond.lines == (std::vector<std::string>{too_long_mark}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace gateway::smtp
