// The DATA decoder: terminator detection under every split, dot-unstuffing, the smuggling
// variants, and every bound at its limit and one past it.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gateway/smtp/data_reader.hpp"
#include "tests/gateway/smtp/test_support.hpp"

namespace gateway::smtp {
namespace {

using testing::concat;
using testing::escaped;

constexpr std::size_t all_input = std::string::npos;

// Everything observable about one decoding.
struct Decoded {
  std::string output;
  std::size_t consumed_octets = 0;
  bool complete = false;
  ContentFault fault = ContentFault::none;
  std::uint64_t wire_octets = 0;
  std::uint64_t content_octets = 0;
  std::size_t header_fields = 0;
  std::size_t received_fields = 0;
  bool eight_bit = false;

  friend bool operator==(const Decoded&, const Decoded&) = default;
};

std::ostream& operator<<(std::ostream& out, const Decoded& d) {
  return out << "{output=" << escaped(d.output) << " consumed=" << d.consumed_octets
             << " complete=" << d.complete << " fault=" << fault_name(d.fault) << "}";
}

// Decodes `input` cut at `cuts` (ascending offsets), feeding until the reader completes.
Decoded decode(std::string_view input, const std::vector<std::size_t>& cuts,
               const ContentLimits& limits = {}) {
  Decoded decoded;
  DataReader reader(limits, [&decoded](std::string_view chunk) { decoded.output += chunk; });
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  for (std::size_t end : ends) {
    if (reader.complete()) {
      break;
    }
    decoded.consumed_octets += reader.feed(input.substr(start, end - start));
    start = end;
  }
  decoded.complete = reader.complete();
  decoded.fault = reader.content().fault();
  decoded.wire_octets = reader.wire_octets();
  decoded.content_octets = reader.content().content_octets();
  decoded.header_fields = reader.content().header_field_count();
  decoded.received_fields = reader.content().received_field_count();
  decoded.eight_bit = reader.content().saw_eight_bit();
  return decoded;
}

Decoded decode_whole(std::string_view input, const ContentLimits& limits = {}) {
  return decode(input, {}, limits);
}

// Checks that feeding byte by byte, and cut once at every offset, decodes exactly as the
// whole input does.
void check_split_invariance(std::string_view input, const ContentLimits& limits = {}) {
  const Decoded whole = decode_whole(input, limits);
  std::vector<std::size_t> every_byte;
  for (std::size_t cut = 1; cut < input.size(); ++cut) {
    every_byte.push_back(cut);
    BOOST_TEST_CONTEXT("cut at " << cut) {
      BOOST_TEST(decode(input, {cut}, limits) == whole);
    }
  }
  BOOST_TEST_CONTEXT("byte by byte") {
    BOOST_TEST(decode(input, every_byte, limits) == whole);
  }
}

struct DataCase {
  const char* name;
  std::string input;
  bool complete;
  std::size_t consumed_octets;  // all_input when the whole input is consumed
  std::string output;
  ContentFault fault;
};

void check_cases(const std::vector<DataCase>& cases, const ContentLimits& limits = {}) {
  for (const DataCase& c : cases) {
    BOOST_TEST_CONTEXT(c.name << ": " << escaped(c.input)) {
      const Decoded decoded = decode_whole(c.input, limits);
      BOOST_TEST(decoded.complete == c.complete);
      BOOST_TEST(decoded.consumed_octets ==
                 (c.consumed_octets == all_input ? c.input.size() : c.consumed_octets));
      BOOST_TEST(escaped(decoded.output) == escaped(c.output));
      BOOST_TEST(fault_name(decoded.fault) == fault_name(c.fault));
      BOOST_TEST(decoded.wire_octets == decoded.consumed_octets);
      check_split_invariance(c.input, limits);
    }
  }
}

// A header of `fields` fields named `name` and a short body, then the terminator.
std::string message_with_fields(std::size_t fields, const std::string& name) {
  std::string message;
  for (std::size_t i = 0; i < fields; ++i) {
    message += name + ": " + std::to_string(i) + "\r\n";
  }
  return message + "\r\nbody\r\n.\r\n";
}

// Default limits but for one, set small so that cases stay short.
ContentLimits with_line_octets(std::size_t octets) {
  ContentLimits limits;
  limits.line_octets_max = octets;
  return limits;
}

ContentLimits with_message_octets(std::uint64_t octets) {
  ContentLimits limits;
  limits.message_octets_max = octets;
  return limits;
}

ContentLimits with_header_fields(std::size_t fields) {
  ContentLimits limits;
  limits.header_fields_max = fields;
  return limits;
}

ContentLimits with_header_octets(std::uint64_t octets) {
  ContentLimits limits;
  limits.header_octets_max = octets;
  return limits;
}

ContentLimits with_received_fields(std::size_t fields) {
  ContentLimits limits;
  limits.received_fields_max = fields;
  return limits;
}

std::string repeated(std::string_view text, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) {
    out += text;
  }
  return out;
}

// An independent statement of what DATA decoding must give, for random streams: the data
// ends at the first ".\r\n" that starts the input or follows "\r\n"; a CR or LF outside a
// CRLF pair rejects it; otherwise each line loses one leading dot.
struct Expected {
  bool complete = false;
  std::size_t consumed_octets = 0;
  bool bare = false;
  std::string output;
};

Expected oracle(std::string_view input) {
  Expected expected;
  std::size_t content_end = 0;
  if (input.starts_with(".\r\n")) {
    expected.complete = true;
    expected.consumed_octets = 3;
  } else if (const std::size_t at = input.find("\r\n.\r\n"); at != std::string_view::npos) {
    expected.complete = true;
    expected.consumed_octets = at + 5;
    content_end = at + 2;
  } else {
    expected.consumed_octets = input.size();
    content_end = input.size();
  }
  const std::string_view content = input.substr(0, content_end);
  for (std::size_t i = 0; i < content.size(); ++i) {
    // A CR at the very end of an unfinished stream is still undecided.
    const bool bare_cr = content[i] == '\r' && i + 1 < content.size() && content[i + 1] != '\n';
    const bool bare_lf = content[i] == '\n' && (i == 0 || content[i - 1] != '\r');
    expected.bare = expected.bare || bare_cr || bare_lf;
  }
  if (expected.bare || !expected.complete) {
    return expected;
  }
  std::size_t start = 0;
  while (start < content.size()) {
    const std::size_t end = content.find("\r\n", start);
    std::string_view line = content.substr(start, end - start);
    if (line.starts_with('.')) {
      line.remove_prefix(1);
    }
    expected.output += line;
    expected.output += "\r\n";
    start = end + 2;
  }
  return expected;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_data)

BOOST_AUTO_TEST_CASE(decodes_a_message_identically_under_every_split) {
  const std::string message =
      "Received: from a\r\nFrom: a@b.example\r\nSubject: hi\r\n folded\r\n\r\n"
      "line one\r\n..leading dot\r\n...\r\n.x\r\n\r\ncaf\xc3\xa9\r\n.\r\nQUIT\r\n";
  const Decoded whole = decode_whole(message);
  BOOST_TEST(whole.complete);
  BOOST_TEST(whole.consumed_octets == message.size() - 6);
  BOOST_TEST(escaped(whole.output) ==
             escaped("Received: from a\r\nFrom: a@b.example\r\nSubject: hi\r\n folded\r\n\r\n"
                     "line one\r\n.leading dot\r\n..\r\nx\r\n\r\ncaf\xc3\xa9\r\n"));
  BOOST_TEST(whole.fault == ContentFault::none);
  BOOST_TEST(whole.header_fields == 3u);
  BOOST_TEST(whole.received_fields == 1u);
  BOOST_TEST(whole.eight_bit);
  BOOST_TEST(whole.content_octets == whole.output.size());
  check_split_invariance(message);
}

BOOST_AUTO_TEST_CASE(decodes_identically_under_every_three_way_split) {
  const std::string message = "A: b\r\n\r\n..x\r\ny\n.\r\nz\r\n.\r\nNOOP\r\n";
  const Decoded whole = decode_whole(message);
  for (std::size_t first = 1; first < message.size(); ++first) {
    for (std::size_t second = first; second < message.size(); ++second) {
      BOOST_TEST_CONTEXT("cuts at " << first << " and " << second) {
        BOOST_TEST(decode(message, {first, second}) == whole);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(ends_exactly_at_crlf_dot_crlf) {
  check_cases({
      {"empty message", ".\r\n", true, 3, "", ContentFault::none},
      {"empty message, then a command", ".\r\nQUIT\r\n", true, 3, "", ContentFault::none},
      {"one line", "a\r\n.\r\n", true, all_input, "a\r\n", ContentFault::none},
      {"stops before pipelined commands", "a\r\n.\r\nMAIL FROM:<>\r\n", true, 6, "a\r\n",
       ContentFault::none},
      {"empty line first", "\r\n.\r\n", true, all_input, "\r\n", ContentFault::none},
      {"empty line last", "a\r\n\r\n.\r\n", true, all_input, "a\r\n\r\n", ContentFault::none},
      {"no terminator yet", "a\r\nb\r\n", false, all_input, "a\r\nb\r\n", ContentFault::none},
      {"dot without CRLF", "a\r\n.", false, all_input, "a\r\n", ContentFault::none},
      {"dot CR without LF", "a\r\n.\r", false, all_input, "a\r\n", ContentFault::none},
      {"dot with text", "a\r\n. \r\n", false, all_input, "a\r\n \r\n", ContentFault::none},
      {"dot inside a line", "a.\r\n", false, all_input, "a.\r\n", ContentFault::none},
      {"dot after text on the line", "a\r\nb.\r\n", false, all_input, "a\r\nb.\r\n",
       ContentFault::none},
      {"two terminators", "a\r\n.\r\n.\r\n", true, 6, "a\r\n", ContentFault::none},
  });
}

BOOST_AUTO_TEST_CASE(removes_one_leading_dot_from_stuffed_lines) {
  check_cases({
      {"doubled dot", "..\r\n.\r\n", true, all_input, ".\r\n", ContentFault::none},
      {"tripled dot", "...\r\n.\r\n", true, all_input, "..\r\n", ContentFault::none},
      {"dot before text", "..text\r\n.\r\n", true, all_input, ".text\r\n", ContentFault::none},
      {"single dot before text", ".text\r\n.\r\n", true, all_input, "text\r\n", ContentFault::none},
      {"stuffed line in the middle", "a\r\n..\r\nb\r\n.\r\n", true, all_input, "a\r\n.\r\nb\r\n",
       ContentFault::none},
      {"dot in the middle is kept", "a..b\r\n.\r\n", true, all_input, "a..b\r\n",
       ContentFault::none},
      {"stuffed terminator look-alike", "a\r\n..\r\n\r\n.\r\n", true, all_input, "a\r\n.\r\n\r\n",
       ContentFault::none},
  });
}

BOOST_AUTO_TEST_CASE(only_crlf_dot_crlf_ends_data_never_a_bare_variant) {
  // Each of these looks like an end of data to some receiver; here each is content, makes
  // the message rejected, and the data goes on to the real terminator.
  const std::string after =
      "MAIL FROM:<evil@x.example>\r\nRCPT TO:<v@corp.example>\r\n"
      "DATA\r\nevil\r\n";
  const std::vector<std::string> fake_ends = {
      "\n.\n", "\r.\r", "\n.\r\n",   "\r\n.\n",     "\r.\r\n",      "\r\n.\r",
      "\r.\n", "\n.\r", "\n\n.\n\n", "\r\n\n.\r\n", "\r\n.\rX\r\n", "\n.\n\r\n",
  };
  for (const std::string& fake_end : fake_ends) {
    const std::string smuggling = "Subject: x\r\n\r\nbody" + fake_end + after + ".\r\nQUIT\r\n";
    BOOST_TEST_CONTEXT(escaped(fake_end)) {
      // Up to the real terminator nothing ends.
      const std::size_t real_end = smuggling.size() - 6;
      BOOST_TEST(!decode_whole(smuggling.substr(0, real_end - 1)).complete);

      const Decoded decoded = decode_whole(smuggling);
      BOOST_TEST(decoded.complete);
      BOOST_TEST(decoded.consumed_octets == real_end);
      BOOST_TEST(fault_name(decoded.fault) == "bare_line_ending");
      BOOST_TEST(decoded.output.find("MAIL FROM") == std::string::npos);
      // Output stops at the first bare byte: after "body" and any real CRLF before it.
      const bool real_crlf_first = fake_end.starts_with("\r\n");
      BOOST_TEST(escaped(decoded.output) == escaped(real_crlf_first ? "Subject: x\r\n\r\nbody\r\n"
                                                                    : "Subject: x\r\n\r\nbody"));
      check_split_invariance(smuggling);
    }
  }
}

BOOST_AUTO_TEST_CASE(refuses_bare_line_endings_anywhere_with_554_5_6_0) {
  check_cases({
      {"bare LF in header", "A: b\nC: d\r\n\r\n.\r\n", true, all_input, "A: b",
       ContentFault::bare_line_ending},
      {"bare CR in header", "A: b\rC: d\r\n\r\n.\r\n", true, all_input, "A: b",
       ContentFault::bare_line_ending},
      {"bare LF first", "\nx\r\n.\r\n", true, all_input, "", ContentFault::bare_line_ending},
      {"bare CR first", "\rx\r\n.\r\n", true, all_input, "", ContentFault::bare_line_ending},
      {"CR CR LF", "a\r\r\n.\r\n", true, all_input, "a", ContentFault::bare_line_ending},
      {"LF CR LF", "a\n\r\n.\r\n", true, all_input, "a", ContentFault::bare_line_ending},
      {"dot then bare CR", "a\r\n.\rb\r\n.\r\n", true, all_input, "a\r\n",
       ContentFault::bare_line_ending},
      {"dot then bare LF", "a\r\n.\nb\r\n.\r\n", true, all_input, "a\r\n",
       ContentFault::bare_line_ending},
      {"dot CR CR LF", "a\r\n.\r\r\n.\r\n", true, all_input, "a\r\n",
       ContentFault::bare_line_ending},
  });
  const std::optional<Reply> reply = content_refusal(ContentFault::bare_line_ending);
  BOOST_TEST_REQUIRE(reply.has_value());
  BOOST_TEST(reply->code == 554);
  BOOST_TEST(reply->enhanced == "5.6.0");
}

BOOST_AUTO_TEST_CASE(knows_a_rejection_before_the_terminator_but_keeps_reading) {
  DataReader reader({}, {});
  BOOST_TEST(reader.feed("a\nb\r\n") == 5u);
  BOOST_TEST(!reader.complete());
  BOOST_TEST(reader.rejection().has_value());
  BOOST_TEST(reader.feed(".\r\n") == 3u);
  BOOST_TEST(reader.complete());
  BOOST_TEST(reader.rejection()->code == 554);
}

BOOST_AUTO_TEST_CASE(bounds_line_length_at_998_octets) {
  const std::string at_limit = std::string(998, 'x') + "\r\n.\r\n";
  const std::string beyond = std::string(999, 'x') + "\r\n.\r\n";
  const Decoded fits = decode_whole(at_limit);
  BOOST_TEST(fits.fault == ContentFault::none);
  BOOST_TEST(fits.complete);
  const Decoded too_long = decode_whole(beyond);
  BOOST_TEST(fault_name(too_long.fault) == "line_too_long");
  BOOST_TEST(too_long.complete);
  BOOST_TEST(too_long.output == std::string(998, 'x'));

  // The stuffed dot is not counted (RFC 5321 4.5.3.1.6): 999 octets on the wire fit.
  BOOST_TEST(decode_whole(concat({"..", std::string(997, 'x'), "\r\n.\r\n"})).fault ==
             ContentFault::none);
  BOOST_TEST(decode_whole(concat({"..", std::string(998, 'x'), "\r\n.\r\n"})).fault ==
             ContentFault::line_too_long);

  const std::optional<Reply> reply = content_refusal(ContentFault::line_too_long);
  BOOST_TEST(reply->code == 552);
  BOOST_TEST(reply->enhanced == "5.3.4");
}

BOOST_AUTO_TEST_CASE(bounds_line_length_at_the_limit_and_one_past_it) {
  check_cases(
      {
          {"at limit", "\r\n0123456789\r\n.\r\n", true, all_input, "\r\n0123456789\r\n",
           ContentFault::none},
          {"past limit", "\r\n0123456789A\r\n.\r\n", true, all_input, "\r\n0123456789",
           ContentFault::line_too_long},
          {"stuffed dot not counted", "..123456789\r\n.\r\n", true, all_input, ".123456789\r\n",
           ContentFault::none},
      },
      with_line_octets(10));
}

BOOST_AUTO_TEST_CASE(bounds_message_size_at_the_limit_and_one_past_it) {
  // 40 octets of content, CRLFs included; one more octet crosses at the last CRLF.
  const std::string at_limit = "\r\n123456\r\n" + repeated("12345678\r\n", 3);
  const std::string beyond = "\r\n1234567\r\n" + repeated("12345678\r\n", 3);
  BOOST_TEST_REQUIRE(at_limit.size() == 40u);
  check_cases(
      {
          {"at limit", at_limit + ".\r\n", true, all_input, at_limit, ContentFault::none},
          {"past limit", beyond + ".\r\n", true, all_input, beyond.substr(0, beyond.size() - 2),
           ContentFault::message_too_big},
          {"past limit inside a line", at_limit + "x\r\n.\r\n", true, all_input, at_limit,
           ContentFault::message_too_big},
      },
      with_message_octets(40));
}

BOOST_AUTO_TEST_CASE(bounds_header_fields_at_the_limit_and_one_past_it) {
  check_cases(
      {
          {"at limit, body not counted", "A:1\r\nB:2\r\nC:3\r\n\r\nD:4\r\n.\r\n", true, all_input,
           "A:1\r\nB:2\r\nC:3\r\n\r\nD:4\r\n", ContentFault::none},
          {"past limit", "A:1\r\nB:2\r\nC:3\r\nD:4\r\n\r\n.\r\n", true, all_input,
           "A:1\r\nB:2\r\nC:3\r\n", ContentFault::too_many_header_fields},
          {"folded lines are one field", "A:1\r\n 2\r\n\t3\r\nB:4\r\nC:5\r\n.\r\n", true, all_input,
           "A:1\r\n 2\r\n\t3\r\nB:4\r\nC:5\r\n", ContentFault::none},
      },
      with_header_fields(3));
}

BOOST_AUTO_TEST_CASE(bounds_header_octets_at_the_limit_and_one_past_it) {
  // 24 octets of header, CRLFs included; the empty line and the body are not counted.
  check_cases(
      {
          {"at limit", "A:12345678\r\nB:12345678\r\n\r\n" + repeated("body\r\n", 9) + ".\r\n", true,
           all_input, "A:12345678\r\nB:12345678\r\n\r\n" + repeated("body\r\n", 9),
           ContentFault::none},
          {"past limit at the CRLF", "A:12345678\r\nB:123456789\r\n\r\n.\r\n", true, all_input,
           "A:12345678\r\nB:123456789", ContentFault::header_too_big},
          {"past limit inside a line", "A:12345678\r\nB:12345678\r\nC\r\n.\r\n", true, all_input,
           "A:12345678\r\nB:12345678\r\n", ContentFault::header_too_big},
      },
      with_header_octets(24));
}

BOOST_AUTO_TEST_CASE(bounds_received_fields_at_the_limit_and_one_past_it) {
  check_cases(
      {
          {"at limit", "Received:a\r\nreceived:b\r\n\r\n.\r\n", true, all_input,
           "Received:a\r\nreceived:b\r\n\r\n", ContentFault::none},
          {"past limit", "Received:a\r\nRECEIVED:b\r\nReceived:c\r\n.\r\n", true, all_input,
           "Received:a\r\nRECEIVED:b\r\nReceived", ContentFault::mail_loop},
          {"body fields not counted", "Received:a\r\n\r\nReceived:b\r\nReceived:c\r\n.\r\n", true,
           all_input, "Received:a\r\n\r\nReceived:b\r\nReceived:c\r\n", ContentFault::none},
      },
      with_received_fields(2));
}

BOOST_AUTO_TEST_CASE(counts_received_fields_by_name_only) {
  ContentLimits limits;
  limits.received_fields_max = 100;
  struct Case {
    std::string header;
    std::size_t received;
  };
  const std::vector<Case> cases = {
      {"Received: a\r\n", 1},
      {"received: a\r\n", 1},
      {"RECEIVED: a\r\n", 1},
      {"Received : a\r\n", 1},
      {"Received\t: a\r\n", 1},
      {"Received:\r\n", 1},
      {"Received: a\r\n b\r\n", 1},
      {"Received-SPF: pass\r\n", 0},
      {"X-Received: a\r\n", 0},
      {"Receive: a\r\n", 0},
      {"Receivedx: a\r\n", 0},
      {"Received a\r\n", 0},
      {"Received\r\n", 0},
      {"Subject: x\r\n Received: a\r\n", 0},
      {"Subject: Received: a\r\n", 0},
      {"Subject: x\r\n\r\nReceived: a\r\n", 0},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(escaped(c.header)) {
      const Decoded decoded = decode_whole(c.header + ".\r\n", limits);
      BOOST_TEST(decoded.received_fields == c.received);
    }
  }
}

BOOST_AUTO_TEST_CASE(bounds_received_fields_at_50_by_default) {
  const Decoded fifty = decode_whole(message_with_fields(50, "Received"));
  BOOST_TEST(fifty.fault == ContentFault::none);
  BOOST_TEST(fifty.received_fields == 50u);
  const Decoded fifty_one = decode_whole(message_with_fields(51, "Received"));
  BOOST_TEST(fault_name(fifty_one.fault) == "mail_loop");
  BOOST_TEST(fifty_one.complete);
  const std::optional<Reply> reply = content_refusal(fifty_one.fault);
  BOOST_TEST(reply->code == 554);
  BOOST_TEST(reply->enhanced == "5.4.6");
}

BOOST_AUTO_TEST_CASE(bounds_header_fields_at_1000_by_default) {
  const Decoded thousand = decode_whole(message_with_fields(1000, "X-Field"));
  BOOST_TEST(thousand.fault == ContentFault::none);
  BOOST_TEST(thousand.header_fields == 1000u);
  const Decoded beyond = decode_whole(message_with_fields(1001, "X-Field"));
  BOOST_TEST(fault_name(beyond.fault) == "too_many_header_fields");
  const std::optional<Reply> reply = content_refusal(beyond.fault);
  BOOST_TEST(reply->code == 552);
  BOOST_TEST(reply->enhanced == "5.3.4");
}

BOOST_AUTO_TEST_CASE(bounds_header_octets_at_1_mib_by_default) {
  // One field folded over lines of 1000 octets with CRLF, topped up to the exact size.
  auto header_of = [](std::uint64_t octets) {
    std::string header = "X-Big: ";
    header += std::string(998 - header.size(), 'h') + "\r\n";
    while (header.size() + 1000 <= octets) {
      header += concat({" ", std::string(997, 'h'), "\r\n"});
    }
    header += concat({" ", std::string(octets - header.size() - 3, 'h'), "\r\n"});
    return header;
  };
  const std::string at_limit = header_of(header_octets_default);
  BOOST_TEST_REQUIRE(at_limit.size() == header_octets_default);
  const Decoded fits = decode_whole(at_limit + "\r\nbody\r\n.\r\n");
  BOOST_TEST(fits.fault == ContentFault::none);
  BOOST_TEST(fits.header_fields == 1u);

  const Decoded beyond = decode_whole(header_of(header_octets_default + 1) + "\r\n.\r\n");
  BOOST_TEST(fault_name(beyond.fault) == "header_too_big");
  BOOST_TEST(content_refusal(beyond.fault)->code == 552);
}

BOOST_AUTO_TEST_CASE(bounds_message_size_at_25_mib_by_default) {
  // Lines of 998 octets and CRLF, the last one shortened to reach the exact size.
  auto content_of = [](std::uint64_t octets) {
    const std::string line = std::string(998, 'm') + "\r\n";
    std::string content = "\r\n";
    while (content.size() + line.size() <= octets) {
      content += line;
    }
    content += std::string(octets - content.size() - 2, 'm') + "\r\n";
    return content;
  };
  const std::string at_limit = content_of(message_octets_default);
  BOOST_TEST_REQUIRE(at_limit.size() == message_octets_default);
  const Decoded fits = decode_whole(at_limit + ".\r\n");
  BOOST_TEST(fits.fault == ContentFault::none);
  BOOST_TEST(fits.content_octets == message_octets_default);
  BOOST_TEST(fits.output.size() == message_octets_default);

  const Decoded beyond = decode_whole(content_of(message_octets_default + 1) + ".\r\n");
  BOOST_TEST(fault_name(beyond.fault) == "message_too_big");
  BOOST_TEST(beyond.complete);
  BOOST_TEST(beyond.output.size() <= message_octets_default);
  BOOST_TEST(content_refusal(beyond.fault)->code == 552);
  BOOST_TEST(content_refusal(beyond.fault)->enhanced == "5.3.4");
}

BOOST_AUTO_TEST_CASE(the_first_fault_in_the_content_decides_the_reply) {
  const ContentLimits limits = with_line_octets(10);
  // A bare LF before an over-long line: the bare LF wins, and the other way round.
  BOOST_TEST(decode_whole("\r\na\nb\r\n0123456789AB\r\n.\r\n", limits).fault ==
             ContentFault::bare_line_ending);
  BOOST_TEST(decode_whole("\r\n0123456789AB\r\na\nb\r\n.\r\n", limits).fault ==
             ContentFault::line_too_long);
}

BOOST_AUTO_TEST_CASE(reports_counts_and_8bit_bytes) {
  const Decoded seven_bit = decode_whole("A: b\r\nC: d\r\n\r\nplain\r\n..x\r\n.\r\n");
  BOOST_TEST(!seven_bit.eight_bit);
  BOOST_TEST(seven_bit.header_fields == 2u);
  BOOST_TEST(seven_bit.content_octets == seven_bit.output.size());
  BOOST_TEST(seven_bit.wire_octets == seven_bit.output.size() + 1 + 3);

  BOOST_TEST(decode_whole("A: \x80\r\n.\r\n").eight_bit);
  BOOST_TEST(decode_whole("\r\n\xff\r\n.\r\n").eight_bit);
}

BOOST_AUTO_TEST_CASE(hands_content_on_in_bounded_chunks) {
  const std::string body(200 * 1024, 'b');
  std::string message = "\r\n";
  for (std::size_t i = 0; i < body.size(); i += 990) {
    message += body.substr(i, 990) + "\r\n";
  }
  std::vector<std::size_t> chunk_sizes;
  std::string output;
  DataReader reader({}, [&](std::string_view chunk) {
    chunk_sizes.push_back(chunk.size());
    output += chunk;
  });
  BOOST_TEST(reader.feed(message + ".\r\n") == message.size() + 3);
  BOOST_TEST(output == message);
  BOOST_TEST(chunk_sizes.size() >= 4u);
  for (std::size_t size : chunk_sizes) {
    BOOST_TEST(size <= content_chunk_octets);
    BOOST_TEST(size > 0u);
  }
}

BOOST_AUTO_TEST_CASE(flushes_what_it_decoded_at_the_end_of_every_feed) {
  std::string output;
  DataReader reader({}, [&](std::string_view chunk) { output += chunk; });
  reader.feed("Subject: x\r\n\r\nhello");
  BOOST_TEST(output == "Subject: x\r\n\r\nhello");
  reader.feed("\r");
  BOOST_TEST(output == "Subject: x\r\n\r\nhello");
  reader.feed("\n.");
  BOOST_TEST(output == "Subject: x\r\n\r\nhello\r\n");
  reader.feed("\r\n");
  BOOST_TEST(reader.complete());
}

BOOST_AUTO_TEST_CASE(random_streams_decode_as_the_rules_say_under_random_splits) {
  // Streams from an alphabet dense in the bytes that matter, with a fixed seed so that a
  // failure replays; each is decoded whole, checked against the oracle, then cut at random.
  std::mt19937 random(20240601);
  constexpr std::string_view alphabet = "\r\n\r\n..a: R";
  std::uniform_int_distribution<std::size_t> length(0, 40);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    for (std::size_t i = length(random); i > 0; --i) {
      input += alphabet[pick(random)];
    }
    if (round % 2 == 0) {
      input += "\r\n.\r\nQUIT\r\n";
    }
    BOOST_TEST_CONTEXT("round " << round << ": " << escaped(input)) {
      const Decoded whole = decode_whole(input);
      const Expected expected = oracle(input);
      BOOST_TEST(whole.complete == expected.complete);
      BOOST_TEST(whole.consumed_octets == expected.consumed_octets);
      BOOST_TEST((whole.fault == ContentFault::bare_line_ending) == expected.bare);
      if (expected.complete && !expected.bare) {
        BOOST_TEST(escaped(whole.output) == escaped(expected.output));
      }

      std::vector<std::size_t> cuts;
      std::uniform_int_distribution<std::size_t> cut(0, input.size());
      for (int i = 0; i < 3; ++i) {
        cuts.push_back(cut(random));
      }
      std::sort(cuts.begin(), cuts.end());
      BOOST_TEST(decode(input, cuts) == whole);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace gateway::smtp
