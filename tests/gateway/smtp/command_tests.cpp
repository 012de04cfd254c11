// Command line parsing: verbs in any case, argument shapes, and every refusal with its code.
#include <boost/test/unit_test.hpp>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gateway/smtp/command.hpp"
#include "gateway/smtp/envelope.hpp"
#include "gateway/smtp/relay_policy.hpp"
#include "tests/gateway/smtp/test_support.hpp"

namespace gateway::smtp {
namespace {

using testing::concat;
using testing::escaped;

struct AcceptedCase {
  std::string line;
  Verb verb;
  std::string argument;
};

struct RefusedCase {
  const char* name;
  std::string line;
  Verb verb;
  int code;
  const char* enhanced;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_command)

BOOST_AUTO_TEST_CASE(accepts_every_verb_in_any_case) {
  const std::vector<AcceptedCase> cases = {
      {"EHLO client.example", Verb::ehlo, "client.example"},
      {"ehlo client.example", Verb::ehlo, "client.example"},
      {"EhLo [192.0.2.1]", Verb::ehlo, "[192.0.2.1]"},
      {"HELO client", Verb::helo, "client"},
      {"helo 192.0.2.1", Verb::helo, "192.0.2.1"},
      {"MAIL FROM:<a@b.example>", Verb::mail, "<a@b.example>"},
      {"mail from:<>", Verb::mail, "<>"},
      {"Mail From:<a@b> SIZE=10 BODY=8BITMIME", Verb::mail, "<a@b> SIZE=10 BODY=8BITMIME"},
      {"RCPT TO:<a@corp.example>", Verb::rcpt, "<a@corp.example>"},
      {"rcpt to:<Postmaster>", Verb::rcpt, "<Postmaster>"},
      {"DATA", Verb::data, ""},
      {"data", Verb::data, ""},
      {"RSET", Verb::rset, ""},
      {"rset", Verb::rset, ""},
      {"NOOP", Verb::noop, ""},
      {"noop anything at all", Verb::noop, "anything at all"},
      {"QUIT", Verb::quit, ""},
      {"quit", Verb::quit, ""},
      {"VRFY postmaster", Verb::vrfy, "postmaster"},
      {"vrfy <a@b>", Verb::vrfy, "<a@b>"},
      {"EXPN staff", Verb::expn, "staff"},
      {"HELP", Verb::help, ""},
      {"help MAIL", Verb::help, "MAIL"},
      {"STARTTLS", Verb::starttls, ""},
      {"starttls", Verb::starttls, ""},
      {"BDAT 100", Verb::bdat, ""},
      {"bdat 0 last", Verb::bdat, ""},
  };
  for (const AcceptedCase& c : cases) {
    BOOST_TEST_CONTEXT(c.line) {
      const CommandParse parse = parse_command(c.line);
      BOOST_TEST(parse.ok());
      BOOST_TEST(verb_name(parse.command.verb) == verb_name(c.verb));
      BOOST_TEST(parse.command.argument == c.argument);
    }
  }
}

BOOST_AUTO_TEST_CASE(tolerates_extra_white_space_where_it_is_unambiguous) {
  const std::vector<AcceptedCase> cases = {
      {"MAIL FROM: <a@b>", Verb::mail, "<a@b>"},
      {"MAIL  FROM:<a@b>", Verb::mail, "<a@b>"},
      {"RCPT TO:  <a@b>  ", Verb::rcpt, "<a@b>"},
      {"EHLO\tclient", Verb::ehlo, "client"},
      {"QUIT   ", Verb::quit, ""},
      {"DATA\t", Verb::data, ""},
      {"EHLO client ", Verb::ehlo, "client"},
  };
  for (const AcceptedCase& c : cases) {
    BOOST_TEST_CONTEXT(escaped(c.line)) {
      const CommandParse parse = parse_command(c.line);
      BOOST_TEST(parse.ok());
      BOOST_TEST(verb_name(parse.command.verb) == verb_name(c.verb));
      BOOST_TEST(parse.command.argument == c.argument);
    }
  }
}

BOOST_AUTO_TEST_CASE(reads_bdat_chunk_size_and_last_marker) {
  struct Case {
    std::string line;
    std::uint64_t chunk_octets;
    bool last;
  };
  const std::vector<Case> cases = {
      {"BDAT 1000", 1000, false},
      {"BDAT 1000 LAST", 1000, true},
      {"bdat 0 Last", 0, true},
      {"BDAT 0", 0, false},
      {"BDAT 007", 7, false},
      {"BDAT 18446744073709551615 LAST", 18446744073709551615ull, true},
      {"BDAT  12   LAST ", 12, true},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.line) {
      const CommandParse parse = parse_command(c.line);
      BOOST_TEST_REQUIRE(parse.ok());
      BOOST_TEST_REQUIRE(parse.command.bdat.has_value());
      BOOST_TEST(parse.command.bdat->chunk_octets == c.chunk_octets);
      BOOST_TEST(parse.command.bdat->last == c.last);
    }
  }
}

BOOST_AUTO_TEST_CASE(refuses_malformed_commands_with_the_right_reply) {
  using namespace std::string_literals;
  const std::vector<RefusedCase> cases = {
      // The whole line: NUL, bare line endings.
      {"NUL in argument", "NOOP a\0b"s, Verb::unknown, 500, "5.5.2"},
      {"NUL in verb", "QU\0IT"s, Verb::unknown, 500, "5.5.2"},
      {"smuggled LF", "MAIL FROM:<a@b>\nRCPT TO:<c@d>", Verb::unknown, 500, "5.5.2"},
      {"bare CR at the end", "QUIT\r", Verb::unknown, 500, "5.5.2"},
      {"bare LF at the end", "QUIT\n", Verb::unknown, 500, "5.5.2"},
      // The verb.
      {"empty line", "", Verb::unknown, 500, "5.5.2"},
      {"spaces only", "   ", Verb::unknown, 500, "5.5.2"},
      {"leading space", " QUIT", Verb::unknown, 500, "5.5.2"},
      {"unknown verb", "FOO bar", Verb::unknown, 500, "5.5.2"},
      {"HTTP request", "GET / HTTP/1.1", Verb::unknown, 500, "5.5.2"},
      {"verb with suffix", "QUITX", Verb::unknown, 500, "5.5.2"},
      {"verb prefix", "QUI", Verb::unknown, 500, "5.5.2"},
      {"8-bit verb", "\xc3\x89HLO x", Verb::unknown, 500, "5.5.2"},
      {"TURN", "TURN", Verb::unknown, 502, "5.5.1"},
      {"ETRN", "ETRN example.com", Verb::unknown, 502, "5.5.1"},
      {"AUTH", "AUTH PLAIN AGFAYg==", Verb::unknown, 502, "5.5.1"},
      {"lower-case send", "send FROM:<a@b>", Verb::unknown, 502, "5.5.1"},
      {"BURL", "BURL imap://x LAST", Verb::unknown, 502, "5.5.1"},
      // Arguments that do not fit the verb.
      {"EHLO without name", "EHLO", Verb::ehlo, 501, "5.5.4"},
      {"EHLO with two names", "EHLO a b", Verb::ehlo, 501, "5.5.4"},
      {"EHLO with 8-bit name", "EHLO caf\xc3\xa9.example", Verb::ehlo, 501, "5.5.4"},
      {"HELO without name", "HELO ", Verb::helo, 501, "5.5.4"},
      {"MAIL without FROM", "MAIL <a@b>", Verb::mail, 501, "5.5.4"},
      {"MAIL with TO", "MAIL TO:<a@b>", Verb::mail, 501, "5.5.4"},
      {"MAIL with space before colon", "MAIL FROM :<a@b>", Verb::mail, 501, "5.5.4"},
      {"MAIL alone", "MAIL", Verb::mail, 501, "5.5.4"},
      {"RCPT with FROM", "RCPT FROM:<a@b>", Verb::rcpt, 501, "5.5.4"},
      {"RCPT alone", "RCPT", Verb::rcpt, 501, "5.5.4"},
      {"DATA with argument", "DATA now", Verb::data, 501, "5.5.4"},
      {"RSET with argument", "RSET all", Verb::rset, 501, "5.5.4"},
      {"QUIT with argument", "QUIT please", Verb::quit, 501, "5.5.4"},
      {"STARTTLS with argument", "STARTTLS x", Verb::starttls, 501, "5.5.4"},
      {"VRFY without argument", "VRFY", Verb::vrfy, 501, "5.5.4"},
      {"EXPN without argument", "EXPN ", Verb::expn, 501, "5.5.4"},
      {"VRFY with 8-bit", "VRFY jos\xc3\xa9", Verb::vrfy, 501, "5.5.4"},
      {"HELP with 8-bit", "HELP \xff", Verb::help, 501, "5.5.4"},
      {"control character", "NOOP a\x01", Verb::noop, 501, "5.5.4"},
      {"DEL character", "VRFY a\x7f", Verb::vrfy, 501, "5.5.4"},
      {"escape in MAIL", "MAIL FROM:<a@b>\x1b[2J", Verb::mail, 501, "5.5.4"},
      {"BDAT without size", "BDAT", Verb::bdat, 501, "5.5.4"},
      {"BDAT with LAST only", "BDAT LAST", Verb::bdat, 501, "5.5.4"},
      {"BDAT with letters", "BDAT 12a", Verb::bdat, 501, "5.5.4"},
      {"BDAT negative", "BDAT -1", Verb::bdat, 501, "5.5.4"},
      {"BDAT with sign", "BDAT +1", Verb::bdat, 501, "5.5.4"},
      {"BDAT other marker", "BDAT 10 FIRST", Verb::bdat, 501, "5.5.4"},
      {"BDAT extra token", "BDAT 10 LAST x", Verb::bdat, 501, "5.5.4"},
      {"BDAT 2^64", "BDAT 18446744073709551616", Verb::bdat, 501, "5.5.4"},
      {"BDAT 21 digits", "BDAT 000000000000000000001", Verb::bdat, 501, "5.5.4"},
  };
  for (const RefusedCase& c : cases) {
    BOOST_TEST_CONTEXT(c.name << ": " << escaped(c.line)) {
      const CommandParse parse = parse_command(c.line);
      BOOST_TEST_REQUIRE(!parse.ok());
      BOOST_TEST(parse.refusal->code == c.code);
      BOOST_TEST(parse.refusal->enhanced == c.enhanced);
      BOOST_TEST(verb_name(parse.command.verb) == verb_name(c.verb));
      BOOST_TEST(!parse.command.bdat.has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(leaves_8bit_addresses_to_the_address_parser) {
  // MAIL and RCPT pass 8-bit bytes through, so the reply can be 553 5.6.7 rather than 501.
  const CommandParse mail = parse_command("MAIL FROM:<jos\xc3\xa9@example.com>");
  BOOST_TEST(mail.ok());
  BOOST_TEST(mail.command.argument == "<jos\xc3\xa9@example.com>");
  const CommandParse rcpt = parse_command("RCPT TO:<\xc3\xa9@corp.example>");
  BOOST_TEST(rcpt.ok());
}

BOOST_AUTO_TEST_CASE(bounds_the_line_at_512_octets_with_crlf) {
  // 510 octets plus CRLF is the longest command RFC 5321 4.5.3.1.4 allows.
  const std::string at_limit = "NOOP " + std::string(505, 'x');
  const std::string beyond = at_limit + "x";
  BOOST_TEST_REQUIRE(at_limit.size() == 510u);

  BOOST_TEST(parse_command(at_limit).ok());
  const CommandParse refused = parse_command(beyond);
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.refusal->code == 500);
  BOOST_TEST(refused.refusal->enhanced == "5.5.2");
  BOOST_TEST(refused.refusal->lines.front() == "Line too long");
}

BOOST_AUTO_TEST_CASE(honours_a_configured_line_bound) {
  const CommandLimits limits{1000};
  const std::string at_limit = "NOOP " + std::string(993, 'x');
  BOOST_TEST(parse_command(at_limit, limits).ok());
  BOOST_TEST(!parse_command(at_limit + "x", limits).ok());
  BOOST_TEST(!parse_command(at_limit).ok());
}

BOOST_AUTO_TEST_CASE(names_every_verb_as_sent_on_the_wire) {
  const std::vector<std::pair<Verb, std::string_view>> names = {
      {Verb::ehlo, "EHLO"},         {Verb::helo, "HELO"},       {Verb::mail, "MAIL"},
      {Verb::rcpt, "RCPT"},         {Verb::data, "DATA"},       {Verb::bdat, "BDAT"},
      {Verb::rset, "RSET"},         {Verb::noop, "NOOP"},       {Verb::quit, "QUIT"},
      {Verb::vrfy, "VRFY"},         {Verb::expn, "EXPN"},       {Verb::help, "HELP"},
      {Verb::starttls, "STARTTLS"}, {Verb::unknown, "unknown"},
  };
  for (const auto& [verb, name] : names) {
    BOOST_TEST(verb_name(verb) == name);
    if (verb != Verb::unknown) {
      BOOST_TEST(
          (parse_command(std::string(name) + (verb == Verb::bdat ? " 1" : "")).command.verb ==
           verb));
    }
  }
}

BOOST_AUTO_TEST_CASE(random_lines_get_a_command_or_a_5yz_refusal) {
  // Random lines built from command fragments and hostile bytes, with a fixed seed: every
  // one must parse to a known verb or be refused with 500, 501 or 502, and every MAIL or
  // RCPT argument must parse or be refused with one of the codes envelope.hpp lists.
  std::mt19937 random(5321);
  const std::vector<std::string> fragments = {
      "MAIL",
      "RCPT",
      "FROM:",
      "TO:",
      "<",
      ">",
      "@",
      "\"",
      "\\",
      ".",
      ",",
      ":",
      "[",
      "]",
      "IPv6:",
      "1",
      "a",
      "corp.example",
      " ",
      "\t",
      "SIZE=",
      "BODY=8BITMIME",
      "=",
      "%",
      "!",
      "Postmaster",
      "\r",
      "\n",
      std::string(1, '\0'),
      "\xc3\xa9",
      "\x7f",
      "BDAT",
      "LAST",
      "EHLO",
      "DATA",
      "99999999999999999999",
  };
  std::uniform_int_distribution<std::size_t> count(0, 12);
  std::uniform_int_distribution<std::size_t> pick(0, fragments.size() - 1);
  const std::vector<std::string> domains = {"corp.example"};
  for (int round = 0; round < 20000; ++round) {
    std::string line = round % 2 == 0 ? "MAIL FROM:" : "RCPT TO:";
    for (std::size_t i = count(random); i > 0; --i) {
      line += fragments[pick(random)];
    }
    BOOST_TEST_CONTEXT("round " << round << ": " << escaped(line)) {
      const CommandParse parse = parse_command(line);
      if (!parse.ok()) {
        const int code = parse.refusal->code;
        BOOST_TEST((code == 500 || code == 501 || code == 502));
        continue;
      }
      BOOST_TEST((parse.command.verb != Verb::unknown));
      if (parse.command.verb == Verb::mail) {
        const ParseResult<MailFrom> mail = parse_mail_from(parse.command.argument, {});
        const int code = mail.ok() ? 250 : mail.refusal().code;
        BOOST_TEST((code == 250 || code == 501 || code == 552 || code == 553 || code == 555));
      }
      if (parse.command.verb == Verb::rcpt) {
        const ParseResult<RcptTo> rcpt = parse_rcpt_to(parse.command.argument);
        const int code = rcpt.ok() ? 250 : rcpt.refusal().code;
        BOOST_TEST((code == 250 || code == 501 || code == 553 || code == 555));
        if (rcpt.ok()) {
          // A path that parsed reads back the same from its own wire form.
          const Path& path = rcpt.value().forward_path;
          const std::string wire = concat({"<", path.mailbox.address(), ">"});
          const PathParse again = parse_path(wire, PathRole::forward);
          BOOST_TEST((again.fault == PathFault::none && again.path.mailbox == path.mailbox));
          classify_recipient(path, domains);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace gateway::smtp
