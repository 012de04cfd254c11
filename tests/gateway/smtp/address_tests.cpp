// Paths (RFC 5321 4.1.2), MAIL FROM and RCPT TO arguments, and ESMTP parameters.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "gateway/smtp/address.hpp"
#include "gateway/smtp/envelope.hpp"
#include "gateway/smtp/esmtp_parameters.hpp"
#include "tests/gateway/smtp/test_support.hpp"

namespace gateway::smtp {
namespace {

using testing::concat;
using testing::escaped;

struct PathCase {
  std::string text;
  PathRole role;
  std::string local_part;
  std::string local_part_value;
  std::string domain;
  bool quoted;
  bool literal;
};

struct FaultCase {
  const char* name;
  std::string text;
  PathRole role;
  PathFault fault;
};

struct RefusalCase {
  const char* name;
  std::string argument;
  int code;
  const char* enhanced;
};

std::string_view fault_text(PathFault fault) {
  switch (fault) {
    case PathFault::none:
      return "none";
    case PathFault::syntax:
      return "syntax";
    case PathFault::too_long:
      return "too_long";
    case PathFault::non_ascii:
      return "non_ascii";
  }
  return "?";
}

constexpr PathRole reverse = PathRole::reverse;
constexpr PathRole forward = PathRole::forward;

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_address)

BOOST_AUTO_TEST_CASE(parses_mailboxes_of_every_form) {
  const std::vector<PathCase> cases = {
      {"<user@example.com>", forward, "user", "user", "example.com", false, false},
      {"<first.last@sub.example.com>", forward, "first.last", "first.last", "sub.example.com",
       false, false},
      {"<user+tag@x-y.example>", forward, "user+tag", "user+tag", "x-y.example", false, false},
      {"<a!#$%&'*+-/=?^_`{|}~@x.example>", reverse, "a!#$%&'*+-/=?^_`{|}~", "a!#$%&'*+-/=?^_`{|}~",
       "x.example", false, false},
      {"<u@123.example>", forward, "u", "u", "123.example", false, false},
      {"<u@localhost>", forward, "u", "u", "localhost", false, false},
      {"<U@EXAMPLE.COM>", forward, "U", "U", "EXAMPLE.COM", false, false},
      {"<\"quoted user\"@example.com>", forward, "\"quoted user\"", "quoted user", "example.com",
       true, false},
      {"<\"a\\\"b\"@x.example>", forward, "\"a\\\"b\"", "a\"b", "x.example", true, false},
      {"<\"a\\\\b\"@x.example>", forward, "\"a\\\\b\"", "a\\b", "x.example", true, false},
      {"<\"\\x\"@x.example>", forward, "\"\\x\"", "x", "x.example", true, false},
      {"<\"\"@x.example>", forward, "\"\"", "", "x.example", true, false},
      {"<\"a@b\"@x.example>", forward, "\"a@b\"", "a@b", "x.example", true, false},
      {"<user@[192.0.2.1]>", forward, "user", "user", "[192.0.2.1]", false, true},
      {"<user@[0.0.0.0]>", forward, "user", "user", "[0.0.0.0]", false, true},
      {"<user@[255.255.255.255]>", forward, "user", "user", "[255.255.255.255]", false, true},
      {"<user@[IPv6:2001:db8::1]>", forward, "user", "user", "[IPv6:2001:db8::1]", false, true},
      {"<user@[ipv6:::1]>", forward, "user", "user", "[ipv6:::1]", false, true},
      {"<u@[IPv6:1:2:3:4:5:6:7:8]>", forward, "u", "u", "[IPv6:1:2:3:4:5:6:7:8]", false, true},
      {"<u@[IPv6:1:2:3::6:7:8]>", forward, "u", "u", "[IPv6:1:2:3::6:7:8]", false, true},
      {"<u@[IPv6:::ffff:192.0.2.1]>", forward, "u", "u", "[IPv6:::ffff:192.0.2.1]", false, true},
      {"<u@[IPv6:1:2:3:4:5:6:192.0.2.1]>", forward, "u", "u", "[IPv6:1:2:3:4:5:6:192.0.2.1]", false,
       true},
      {"<postmaster@x.example>", forward, "postmaster", "postmaster", "x.example", false, false},
  };
  for (const PathCase& c : cases) {
    BOOST_TEST_CONTEXT(c.text) {
      const PathParse parse = parse_path(c.text, c.role);
      BOOST_TEST_REQUIRE(fault_text(parse.fault) == "none");
      BOOST_TEST(parse.consumed_octets == c.text.size());
      BOOST_TEST(!parse.path.null);
      BOOST_TEST(parse.path.source_route.empty());
      BOOST_TEST(parse.path.mailbox.local_part == c.local_part);
      BOOST_TEST(parse.path.mailbox.local_part_value == c.local_part_value);
      BOOST_TEST(parse.path.mailbox.domain == c.domain);
      BOOST_TEST(parse.path.mailbox.local_part_quoted == c.quoted);
      BOOST_TEST(parse.path.mailbox.domain_is_literal == c.literal);
      BOOST_TEST(!parse.path.is_domainless_postmaster());
      BOOST_TEST(concat({"<", parse.path.mailbox.address(), ">"}) == c.text);
    }
  }
}

BOOST_AUTO_TEST_CASE(reads_the_null_sender_only_as_a_reverse_path) {
  const PathParse sender = parse_path("<>", reverse);
  BOOST_TEST(fault_text(sender.fault) == "none");
  BOOST_TEST(sender.path.null);
  BOOST_TEST(sender.consumed_octets == 2u);
  BOOST_TEST(fault_text(parse_path("<>", forward).fault) == "syntax");
}

BOOST_AUTO_TEST_CASE(reads_domainless_postmaster_in_any_case_only_as_a_forward_path) {
  for (const std::string text : {"<Postmaster>", "<postmaster>", "<POSTMASTER>", "<pOsTmAsTeR>"}) {
    BOOST_TEST_CONTEXT(text) {
      const PathParse parse = parse_path(text, forward);
      BOOST_TEST_REQUIRE(fault_text(parse.fault) == "none");
      BOOST_TEST(parse.path.is_domainless_postmaster());
      BOOST_TEST(parse.path.mailbox.domain.empty());
      BOOST_TEST(fault_text(parse_path(text, reverse).fault) == "syntax");
    }
  }
  BOOST_TEST(fault_text(parse_path("<\"Postmaster\">", forward).fault) == "syntax");
  BOOST_TEST(fault_text(parse_path("<@a.example:Postmaster>", forward).fault) == "syntax");
  BOOST_TEST(fault_text(parse_path("<postmasters>", forward).fault) == "syntax");
}

BOOST_AUTO_TEST_CASE(keeps_source_routes_for_policy_to_see) {
  const PathParse parse = parse_path("<@a.example,@b.example:user@c.example>", forward);
  BOOST_TEST_REQUIRE(fault_text(parse.fault) == "none");
  BOOST_TEST(parse.path.source_route == (std::vector<std::string>{"a.example", "b.example"}));
  BOOST_TEST(parse.path.mailbox.address() == "user@c.example");

  const PathParse single = parse_path("<@relay.example:user@c.example>", reverse);
  BOOST_TEST_REQUIRE(fault_text(single.fault) == "none");
  BOOST_TEST(single.path.source_route == (std::vector<std::string>{"relay.example"}));
}

BOOST_AUTO_TEST_CASE(refuses_paths_that_break_the_grammar) {
  const std::vector<FaultCase> cases = {
      {"empty", "", forward, PathFault::syntax},
      {"open bracket only", "<", forward, PathFault::syntax},
      {"no brackets", "user@example.com", forward, PathFault::syntax},
      {"no closing bracket", "<user@example.com", forward, PathFault::syntax},
      {"no domain", "<user>", forward, PathFault::syntax},
      {"empty domain", "<user@>", forward, PathFault::syntax},
      {"empty local part", "<@example.com>", forward, PathFault::syntax},
      {"two at signs", "<a@b@example.com>", forward, PathFault::syntax},
      {"leading dot", "<.user@x.example>", forward, PathFault::syntax},
      {"trailing dot", "<user.@x.example>", forward, PathFault::syntax},
      {"double dot", "<us..er@x.example>", forward, PathFault::syntax},
      {"space in local part", "<a b@x.example>", forward, PathFault::syntax},
      {"comma in local part", "<a,b@x.example>", forward, PathFault::syntax},
      {"bracket in local part", "<a<b@x.example>", forward, PathFault::syntax},
      {"domain double dot", "<u@x..example>", forward, PathFault::syntax},
      {"domain trailing dot", "<u@x.example.>", forward, PathFault::syntax},
      {"domain leading dot", "<u@.x.example>", forward, PathFault::syntax},
      {"label starts with hyphen", "<u@-x.example>", forward, PathFault::syntax},
      {"label ends with hyphen", "<u@x-.example>", forward, PathFault::syntax},
      {"underscore in domain", "<u@x_y.example>", forward, PathFault::syntax},
      {"label of 64", concat({"<u@", std::string(64, 'a'), ".example>"}), forward,
       PathFault::syntax},
      {"unterminated quote", "<\"user@x.example>", forward, PathFault::syntax},
      {"control in quote", "<\"a\x01\"@x.example>", forward, PathFault::syntax},
      {"tab in quote", "<\"a\tb\"@x.example>", forward, PathFault::syntax},
      {"escaped control", "<\"a\\\x01\"@x.example>", forward, PathFault::syntax},
      {"backslash at end", "<\"a\\\"@x.example>", forward, PathFault::syntax},
      {"IPv4 three parts", "<u@[192.0.2]>", forward, PathFault::syntax},
      {"IPv4 five parts", "<u@[192.0.2.1.5]>", forward, PathFault::syntax},
      {"IPv4 part 256", "<u@[256.0.2.1]>", forward, PathFault::syntax},
      {"IPv4 part of four digits", "<u@[0192.0.2.1]>", forward, PathFault::syntax},
      {"IPv4 empty part", "<u@[192..2.1]>", forward, PathFault::syntax},
      {"unclosed literal", "<u@[192.0.2.1>", forward, PathFault::syntax},
      {"empty literal", "<u@[]>", forward, PathFault::syntax},
      {"IPv6 two gaps", "<u@[IPv6:1::2::3]>", forward, PathFault::syntax},
      {"IPv6 group of five", "<u@[IPv6:12345::1]>", forward, PathFault::syntax},
      {"IPv6 seven groups", "<u@[IPv6:1:2:3:4:5:6:7]>", forward, PathFault::syntax},
      {"IPv6 nine groups", "<u@[IPv6:1:2:3:4:5:6:7:8:9]>", forward, PathFault::syntax},
      {"IPv6 gap and seven", "<u@[IPv6:1:2:3:4:5:6::7]>", forward, PathFault::syntax},
      {"IPv6 not hex", "<u@[IPv6:g::1]>", forward, PathFault::syntax},
      {"IPv6 trailing colon", "<u@[IPv6:1:2:3:4:5:6:7:]>", forward, PathFault::syntax},
      {"IPv6 triple colon", "<u@[IPv6:1:::2]>", forward, PathFault::syntax},
      {"IPv6 tag, bad address", "<u@[IPv6:hello]>", forward, PathFault::syntax},
      {"IPv6 without tag", "<u@[2001:db8::1]>", forward, PathFault::syntax},
      {"general literal no content", "<u@[tag:]>", forward, PathFault::syntax},
      {"general literal", "<u@[x-tag:any-content]>", forward, PathFault::syntax},
      {"route without colon", "<@a.example,user@c.example>", forward, PathFault::syntax},
      {"route empty domain", "<@:user@c.example>", forward, PathFault::syntax},
      {"route missing at", "<@a.example,b.example:user@c.example>", forward, PathFault::syntax},
      {"route only", "<@a.example:>", forward, PathFault::syntax},
  };
  for (const FaultCase& c : cases) {
    BOOST_TEST_CONTEXT(c.name << ": " << escaped(c.text)) {
      const PathParse parse = parse_path(c.text, c.role);
      BOOST_TEST(fault_text(parse.fault) == fault_text(c.fault));
      BOOST_TEST((parse.path == Path{}));
    }
  }
}

BOOST_AUTO_TEST_CASE(refuses_8bit_bytes_as_non_ascii) {
  const std::vector<FaultCase> cases = {
      {"local part", "<jos\xc3\xa9@example.com>", forward, PathFault::non_ascii},
      {"first byte", "<\xc3\xa9@example.com>", forward, PathFault::non_ascii},
      {"quoted", "<\"jos\xc3\xa9\"@example.com>", forward, PathFault::non_ascii},
      {"escaped", "<\"\\\xc3\xa9\"@example.com>", forward, PathFault::non_ascii},
      {"domain middle", "<u@ex\xc3\xa4mple.com>", forward, PathFault::non_ascii},
      {"domain start", "<u@\xc3\xa4.example>", forward, PathFault::non_ascii},
      {"reverse path", "<u@b\xc3\xbc\x63her.example>", reverse, PathFault::non_ascii},
  };
  for (const FaultCase& c : cases) {
    BOOST_TEST_CONTEXT(c.name << ": " << escaped(c.text)) {
      BOOST_TEST(fault_text(parse_path(c.text, c.role).fault) == fault_text(c.fault));
    }
  }
}

BOOST_AUTO_TEST_CASE(bounds_local_part_at_64_octets) {
  const std::string at_limit = concat({"<", std::string(64, 'a'), "@x.example>"});
  const std::string beyond = concat({"<", std::string(65, 'a'), "@x.example>"});
  BOOST_TEST(fault_text(parse_path(at_limit, forward).fault) == "none");
  BOOST_TEST(fault_text(parse_path(beyond, forward).fault) == "too_long");

  // The quotes count: the bound is on the wire form.
  const std::string quoted = concat({"<\"", std::string(62, 'a'), "\"@x.example>"});
  const std::string quoted_beyond = concat({"<\"", std::string(63, 'a'), "\"@x.example>"});
  BOOST_TEST(fault_text(parse_path(quoted, forward).fault) == "none");
  BOOST_TEST(fault_text(parse_path(quoted_beyond, forward).fault) == "too_long");
}

BOOST_AUTO_TEST_CASE(bounds_path_at_256_octets_with_brackets) {
  // "<a@" + domain + ">" is 4 octets more than the domain; labels of 63 and dots.
  auto domain_of = [](std::size_t octets) {
    std::string domain;
    while (domain.size() < octets) {
      if (!domain.empty()) {
        domain += '.';
      }
      domain += std::string(std::min<std::size_t>(63, octets - domain.size()), 'd');
    }
    return domain;
  };
  const std::string at_limit = concat({"<a@", domain_of(252), ">"});
  const std::string beyond = concat({"<a@", domain_of(253), ">"});
  BOOST_TEST_REQUIRE(at_limit.size() == 256u);
  BOOST_TEST_REQUIRE(beyond.size() == 257u);
  BOOST_TEST(is_domain_name(domain_of(253)));

  BOOST_TEST(fault_text(parse_path(at_limit, forward).fault) == "none");
  BOOST_TEST(fault_text(parse_path(beyond, forward).fault) == "too_long");
  BOOST_TEST(
      fault_text(parse_path(concat({"<", std::string(64, 'a'), "@", domain_of(189), ">"}), reverse)
                     .fault) == "none");
}

BOOST_AUTO_TEST_CASE(stops_at_the_closing_bracket) {
  const PathParse parse = parse_path("<a@b.example> SIZE=10", reverse);
  BOOST_TEST(fault_text(parse.fault) == "none");
  BOOST_TEST(parse.consumed_octets == 13u);
}

BOOST_AUTO_TEST_CASE(splits_esmtp_parameters) {
  const auto parameters = split_esmtp_parameters(" SIZE=100  BODY=8BITMIME SMTPUTF8 X-Y=a+b ");
  BOOST_TEST_REQUIRE(parameters.has_value());
  const std::vector<EsmtpParameter> expected = {
      {"SIZE", "100"}, {"BODY", "8BITMIME"}, {"SMTPUTF8", std::nullopt}, {"X-Y", "a+b"}};
  BOOST_TEST((*parameters == expected));
  BOOST_TEST(split_esmtp_parameters("")->empty());

  for (const std::string bad :
       {"=1", "-X=1", "SIZE=", "SIZE==1", "A=b=c", "K_1=2", "\xc3\xa9", "K=\xc3\xa9", "K=a\x01"}) {
    BOOST_TEST_CONTEXT(escaped(bad)) {
      BOOST_TEST(!split_esmtp_parameters(bad).has_value());
    }
  }

  // The count is bounded whatever the line bound is.
  std::string many;
  for (std::size_t i = 0; i <= esmtp_parameters_max; ++i) {
    many += " X";
  }
  BOOST_TEST(!split_esmtp_parameters(many).has_value());
  BOOST_TEST(split_esmtp_parameters(many.substr(2)).has_value());
}

BOOST_AUTO_TEST_CASE(mail_from_reads_path_size_and_body) {
  const EnvelopeOptions options{1000, true};
  struct Case {
    std::string argument;
    std::string address;
    bool null;
    std::optional<std::uint64_t> size;
    BodyType body;
  };
  const std::vector<Case> cases = {
      {"<a@b.example>", "a@b.example", false, std::nullopt, BodyType::unspecified},
      {"<>", "", true, std::nullopt, BodyType::unspecified},
      {"<> SIZE=0", "", true, 0, BodyType::unspecified},
      {"<a@b.example> SIZE=1000", "a@b.example", false, 1000, BodyType::unspecified},
      {"<a@b.example> size=999 body=8bitmime", "a@b.example", false, 999, BodyType::eight_bit_mime},
      {"<a@b.example> BODY=7BIT", "a@b.example", false, std::nullopt, BodyType::seven_bit},
      {"<a@b.example>  SIZE=10   BODY=7bit  ", "a@b.example", false, 10, BodyType::seven_bit},
      {" <a@b.example>", "a@b.example", false, std::nullopt, BodyType::unspecified},
      {"<@relay.example:a@b.example>", "a@b.example", false, std::nullopt, BodyType::unspecified},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.argument) {
      const ParseResult<MailFrom> parse = parse_mail_from(c.argument, options);
      BOOST_TEST_REQUIRE(parse.ok());
      BOOST_TEST(parse.value().reverse_path.null == c.null);
      BOOST_TEST((c.null || parse.value().reverse_path.mailbox.address() == c.address));
      BOOST_TEST((parse.value().parameters.declared_size_octets == c.size));
      BOOST_TEST((parse.value().parameters.body == c.body));
    }
  }
}

BOOST_AUTO_TEST_CASE(mail_from_refuses_with_the_right_reply) {
  const EnvelopeOptions options{1000, true};
  const std::vector<RefusalCase> cases = {
      {"empty", "", 501, "5.1.7"},
      {"no brackets", "a@b.example", 501, "5.1.7"},
      {"bad syntax", "<a..b@c.example>", 501, "5.1.7"},
      {"Postmaster has no domain here", "<Postmaster>", 501, "5.1.7"},
      {"text glued after path", "<a@b.example>SIZE=10", 501, "5.1.7"},
      {"path too long", concat({"<", std::string(65, 'a'), "@b.example>"}), 501, "5.1.7"},
      {"non-ASCII", "<jos\xc3\xa9@b.example>", 553, "5.6.7"},
      {"malformed parameter", "<a@b.example> =x", 501, "5.5.4"},
      {"8-bit parameter value", "<a@b.example> ENVID=\xc3\xa9", 501, "5.5.4"},
      {"SIZE without value", "<a@b.example> SIZE", 501, "5.5.4"},
      {"SIZE not a number", "<a@b.example> SIZE=ten", 501, "5.5.4"},
      {"SIZE negative", "<a@b.example> SIZE=-1", 501, "5.5.4"},
      {"SIZE overflow", "<a@b.example> SIZE=18446744073709551616", 501, "5.5.4"},
      {"SIZE twice", "<a@b.example> SIZE=1 SIZE=2", 501, "5.5.4"},
      {"SIZE above limit", "<a@b.example> SIZE=1001", 552, "5.3.4"},
      {"SIZE far above limit", "<a@b.example> SIZE=18446744073709551615", 552, "5.3.4"},
      {"BODY unknown", "<a@b.example> BODY=9BIT", 501, "5.5.4"},
      {"BODY without value", "<a@b.example> BODY", 501, "5.5.4"},
      {"BODY twice", "<a@b.example> BODY=7BIT BODY=8BITMIME", 501, "5.5.4"},
      {"BODY=BINARYMIME", "<a@b.example> BODY=BINARYMIME", 555, "5.5.4"},
      {"SMTPUTF8", "<a@b.example> SMTPUTF8", 555, "5.5.4"},
      {"AUTH", "<a@b.example> AUTH=<>", 555, "5.5.4"},
      {"RET", "<a@b.example> RET=HDRS", 555, "5.5.4"},
      {"ENVID", "<a@b.example> ENVID=abc", 555, "5.5.4"},
      {"unknown extension", "<a@b.example> X-FOO", 555, "5.5.4"},
      {"unknown after a good one", "<a@b.example> SIZE=10 X-FOO=1", 555, "5.5.4"},
  };
  for (const RefusalCase& c : cases) {
    BOOST_TEST_CONTEXT(c.name << ": " << escaped(c.argument)) {
      const ParseResult<MailFrom> parse = parse_mail_from(c.argument, options);
      BOOST_TEST_REQUIRE(!parse.ok());
      BOOST_TEST(parse.refusal().code == c.code);
      BOOST_TEST(parse.refusal().enhanced == c.enhanced);
    }
  }
}

BOOST_AUTO_TEST_CASE(mail_from_accepts_size_at_the_limit_and_refuses_one_more) {
  const EnvelopeOptions defaults;
  BOOST_TEST(parse_mail_from("<a@b.example> SIZE=26214400", defaults).ok());
  const ParseResult<MailFrom> beyond = parse_mail_from("<a@b.example> SIZE=26214401", defaults);
  BOOST_TEST_REQUIRE(!beyond.ok());
  BOOST_TEST(beyond.refusal().code == 552);
}

BOOST_AUTO_TEST_CASE(mail_from_refuses_8bitmime_when_it_is_not_offered) {
  const EnvelopeOptions seven_bit_only{1000, false};
  const ParseResult<MailFrom> parse =
      parse_mail_from("<a@b.example> BODY=8BITMIME", seven_bit_only);
  BOOST_TEST_REQUIRE(!parse.ok());
  BOOST_TEST(parse.refusal().code == 555);
  BOOST_TEST(parse_mail_from("<a@b.example> BODY=7BIT", seven_bit_only).ok());
}

BOOST_AUTO_TEST_CASE(rcpt_to_reads_paths_and_refuses_parameters) {
  const ParseResult<RcptTo> ok = parse_rcpt_to("<user@corp.example>");
  BOOST_TEST_REQUIRE(ok.ok());
  BOOST_TEST(ok.value().forward_path.mailbox.address() == "user@corp.example");
  BOOST_TEST(parse_rcpt_to("<Postmaster>").value().forward_path.is_domainless_postmaster());

  const std::vector<RefusalCase> cases = {
      {"null path", "<>", 501, "5.1.3"},
      {"empty", "", 501, "5.1.3"},
      {"no brackets", "user@corp.example", 501, "5.1.3"},
      {"bad syntax", "<user@corp..example>", 501, "5.1.3"},
      {"text glued after path", "<user@corp.example>x", 501, "5.1.3"},
      {"local part too long", concat({"<", std::string(65, 'u'), "@corp.example>"}), 501, "5.1.3"},
      {"non-ASCII", "<\xc3\xa9@corp.example>", 553, "5.6.7"},
      {"NOTIFY", "<user@corp.example> NOTIFY=NEVER", 555, "5.5.4"},
      {"ORCPT", "<user@corp.example> ORCPT=rfc822;user@corp.example", 555, "5.5.4"},
      {"malformed parameter", "<user@corp.example> ==", 501, "5.5.4"},
  };
  for (const RefusalCase& c : cases) {
    BOOST_TEST_CONTEXT(c.name << ": " << escaped(c.argument)) {
      const ParseResult<RcptTo> parse = parse_rcpt_to(c.argument);
      BOOST_TEST_REQUIRE(!parse.ok());
      BOOST_TEST(parse.refusal().code == c.code);
      BOOST_TEST(parse.refusal().enhanced == c.enhanced);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace gateway::smtp
