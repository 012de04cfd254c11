// Reply formatting, enhanced status code syntax and the reply catalogue.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "gateway/smtp/replies.hpp"
#include "gateway/smtp/reply.hpp"
#include "gateway/smtp/reply_parser.hpp"
#include "tests/gateway/smtp/test_support.hpp"

namespace gateway::smtp {
namespace {

using testing::escaped;

struct WireCase {
  const char* name;
  Reply reply;
  std::string wire;
};

struct CatalogueEntry {
  const char* name;
  Reply reply;
  int code;
  const char* enhanced;
};

// Every catalogue reply with the code and enhanced status the design and the RFCs ask for.
std::vector<CatalogueEntry> catalogue() {
  const std::string host = "gw.example.net";
  return {
      {"service_ready", replies::service_ready(host), 220, ""},
      {"closing", replies::closing(host), 221, "2.0.0"},
      {"ok", replies::ok(), 250, "2.0.0"},
      {"helo_ok", replies::helo_ok(host), 250, ""},
      {"sender_ok", replies::sender_ok(), 250, "2.1.0"},
      {"recipient_ok", replies::recipient_ok(), 250, "2.1.5"},
      {"message_queued", replies::message_queued("Q1"), 250, "2.0.0"},
      {"chunk_received", replies::chunk_received(42), 250, "2.0.0"},
      {"help", replies::help(), 214, "2.0.0"},
      {"cannot_verify", replies::cannot_verify(), 252, "2.0.0"},
      {"start_mail_input", replies::start_mail_input(), 354, ""},
      {"ready_to_start_tls", replies::ready_to_start_tls(), 220, "2.0.0"},
      {"too_many_connections", replies::too_many_connections(host), 421, "4.3.2"},
      {"timeout", replies::timeout(host), 421, "4.4.2"},
      {"shutting_down", replies::shutting_down(host), 421, "4.3.2"},
      {"tls_not_available", replies::tls_not_available(), 454, "4.7.0"},
      {"local_error", replies::local_error(), 451, "4.3.0"},
      {"queue_full", replies::queue_full(), 452, "4.3.1"},
      {"too_many_recipients", replies::too_many_recipients(), 452, "4.5.3"},
      {"command_unrecognized", replies::command_unrecognized(), 500, "5.5.2"},
      {"line_too_long", replies::line_too_long(), 500, "5.5.2"},
      {"nul_in_command", replies::nul_in_command(), 500, "5.5.2"},
      {"bare_line_ending_in_command", replies::bare_line_ending_in_command(), 500, "5.5.2"},
      {"bad_arguments", replies::bad_arguments("detail"), 501, "5.5.4"},
      {"bad_sender_address", replies::bad_sender_address(), 501, "5.1.7"},
      {"bad_recipient_address", replies::bad_recipient_address(), 501, "5.1.3"},
      {"sender_path_too_long", replies::sender_path_too_long(), 501, "5.1.7"},
      {"recipient_path_too_long", replies::recipient_path_too_long(), 501, "5.1.3"},
      {"non_ascii_address", replies::non_ascii_address(), 553, "5.6.7"},
      {"not_implemented", replies::not_implemented(), 502, "5.5.1"},
      {"bad_sequence", replies::bad_sequence(), 503, "5.5.1"},
      {"parameter_not_implemented", replies::parameter_not_implemented(), 504, "5.5.4"},
      {"parameter_unrecognized", replies::parameter_unrecognized(), 555, "5.5.4"},
      {"must_issue_starttls", replies::must_issue_starttls(), 530, "5.7.0"},
      {"relay_denied", replies::relay_denied(), 550, "5.7.1"},
      {"no_valid_recipients", replies::no_valid_recipients(), 554, "5.5.1"},
      {"message_too_big", replies::message_too_big(), 552, "5.3.4"},
      {"header_too_big", replies::header_too_big(), 552, "5.3.4"},
      {"message_line_too_long", replies::message_line_too_long(), 552, "5.3.4"},
      {"mail_loop", replies::mail_loop(), 554, "5.4.6"},
      {"bare_line_ending", replies::bare_line_ending(), 554, "5.6.0"},
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_reply)

BOOST_AUTO_TEST_CASE(formats_single_and_multi_line_replies_in_wire_form) {
  const std::vector<WireCase> cases = {
      {"one line with status", {250, "2.0.0", {"OK"}}, "250 2.0.0 OK\r\n"},
      {"one line without status", {220, "", {"gw ready"}}, "220 gw ready\r\n"},
      {"status on every line",
       {550, "5.7.1", {"first", "second", "third"}},
       "550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 third\r\n"},
      {"multi-line without status",
       {250, "", {"gw.example.net", "PIPELINING", "8BITMIME"}},
       "250-gw.example.net\r\n250-PIPELINING\r\n250 8BITMIME\r\n"},
      {"no lines, no status", {250, "", {}}, "250\r\n"},
      {"no lines, status", {250, "2.0.0", {}}, "250 2.0.0\r\n"},
      {"empty last line", {250, "", {"a", ""}}, "250-a\r\n250\r\n"},
      {"empty middle line", {250, "", {"", "b"}}, "250-\r\n250 b\r\n"},
      {"empty text with status", {250, "2.0.0", {""}}, "250 2.0.0\r\n"},
  };
  for (const WireCase& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      BOOST_TEST(escaped(to_wire(c.reply)) == escaped(c.wire));
    }
  }
}

BOOST_AUTO_TEST_CASE(replaces_bytes_that_could_break_or_inject_lines) {
  const std::vector<WireCase> cases = {
      {"CRLF inside text", {250, "", {"a\r\n250 injected"}}, "250 a??250 injected\r\n"},
      {"bare LF", {250, "", {"a\nb"}}, "250 a?b\r\n"},
      {"bare CR", {250, "", {"a\rb"}}, "250 a?b\r\n"},
      {"NUL", {250, "", {std::string("a\0b", 3)}}, "250 a?b\r\n"},
      {"8-bit", {250, "", {"caf\xc3\xa9"}}, "250 caf??\r\n"},
      {"DEL", {250, "", {"a\x7f"}}, "250 a?\r\n"},
      {"tab is text", {250, "", {"a\tb"}}, "250 a\tb\r\n"},
  };
  for (const WireCase& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      BOOST_TEST(escaped(to_wire(c.reply)) == escaped(c.wire));
    }
  }
}

BOOST_AUTO_TEST_CASE(append_wire_appends_after_existing_bytes) {
  std::string out = "250 2.0.0 first\r\n";
  append_wire(out, replies::bad_sequence());
  BOOST_TEST(out == "250 2.0.0 first\r\n503 5.5.1 Bad sequence of commands\r\n");
}

BOOST_AUTO_TEST_CASE(recognizes_enhanced_status_codes_by_rfc_3463_syntax) {
  struct Case {
    const char* text;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"2.0.0", true},    {"4.3.1", true},     {"5.7.1", true},     {"5.123.456", true},
      {"2.10.99", true},  {"3.0.0", false},    {"1.0.0", false},    {"6.0.0", false},
      {"", false},        {"5", false},        {"5.", false},       {"5.7", false},
      {"5.7.", false},    {"5..1", false},     {".7.1", false},     {"5.7.1.", false},
      {"5.7.1.0", false}, {"5.1234.1", false}, {"5.1.1234", false}, {"55.7.1", false},
      {"5.7.1 ", false},  {" 5.7.1", false},   {"5.a.1", false},    {"5-7-1", false},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT("'" << c.text << "'") {
      BOOST_TEST(is_enhanced_status_code(c.text) == c.valid);
    }
  }
}

BOOST_AUTO_TEST_CASE(catalogue_replies_carry_the_promised_codes) {
  for (const CatalogueEntry& entry : catalogue()) {
    BOOST_TEST_CONTEXT(entry.name) {
      BOOST_TEST(entry.reply.code == entry.code);
      BOOST_TEST(entry.reply.enhanced == entry.enhanced);
      BOOST_TEST(!entry.reply.lines.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(catalogue_replies_fit_rfc_5321_reply_lines) {
  for (const CatalogueEntry& entry : catalogue()) {
    BOOST_TEST_CONTEXT(entry.name) {
      // The status code, where present, is of the reply's class (RFC 3463 2).
      if (!entry.reply.enhanced.empty()) {
        BOOST_TEST(is_enhanced_status_code(entry.reply.enhanced));
        BOOST_TEST(entry.reply.enhanced[0] - '0' == entry.reply.reply_class());
      }

      // Every wire line fits 512 octets and ends in CRLF.
      const std::string wire = to_wire(entry.reply);
      std::size_t start = 0;
      while (start < wire.size()) {
        const std::size_t end = wire.find("\r\n", start);
        BOOST_TEST_REQUIRE(end != std::string::npos);
        BOOST_TEST(end + 2 - start <= reply_line_octets_max);
        start = end + 2;
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(catalogue_replies_read_back_unchanged_by_the_reply_parser) {
  for (const CatalogueEntry& entry : catalogue()) {
    BOOST_TEST_CONTEXT(entry.name) {
      ReplyParser parser;
      const std::string wire = to_wire(entry.reply);
      const ReplyStep step = parser.feed(wire);
      BOOST_TEST_REQUIRE(step.status == ReplyStatus::complete);
      BOOST_TEST(step.consumed_octets == wire.size());
      BOOST_TEST(parser.take_reply() == entry.reply);
    }
  }
}

BOOST_AUTO_TEST_CASE(reply_classes_follow_the_first_digit) {
  BOOST_TEST(replies::ok().is_completion());
  BOOST_TEST(replies::start_mail_input().is_intermediate());
  BOOST_TEST(replies::queue_full().is_transient_failure());
  BOOST_TEST(replies::relay_denied().is_permanent_failure());
  BOOST_TEST(!replies::relay_denied().is_transient_failure());
}

BOOST_AUTO_TEST_CASE(text_of_parameterised_replies_names_its_argument) {
  BOOST_TEST(replies::message_queued("ABC123").lines.front().find("ABC123") != std::string::npos);
  BOOST_TEST(replies::chunk_received(4096).lines.front().find("4096") != std::string::npos);
  BOOST_TEST(replies::service_ready("gw.example.net").lines.front().starts_with("gw.example.net"));
  BOOST_TEST(replies::bad_arguments("why").lines.front().ends_with("why"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace gateway::smtp
