// The relay policy at RCPT: accepted domains only, and no address tricks.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "gateway/smtp/envelope.hpp"
#include "gateway/smtp/relay_policy.hpp"
#include "tests/gateway/smtp/test_support.hpp"

namespace gateway::smtp {
namespace {

using testing::escaped;

struct Case {
  std::string path;
  RelayDecision decision;
};

RelayDecision classify(const std::string& path, const std::vector<std::string>& domains) {
  const ParseResult<RcptTo> parse = parse_rcpt_to(path);
  BOOST_TEST_REQUIRE(parse.ok(), "the path parses: " << escaped(path));
  return classify_recipient(parse.value().forward_path, domains);
}

const std::vector<std::string> accepted = {"corp.example", "Other.Example"};

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_relay_policy)

BOOST_AUTO_TEST_CASE(accepts_only_accepted_domains_exactly_and_case_insensitively) {
  const std::vector<Case> cases = {
      {"<user@corp.example>", RelayDecision::accept},
      {"<user@CORP.EXAMPLE>", RelayDecision::accept},
      {"<user@Corp.Example>", RelayDecision::accept},
      {"<user@other.example>", RelayDecision::accept},
      {"<first.last+tag@corp.example>", RelayDecision::accept},
      {"<\"quoted user\"@corp.example>", RelayDecision::accept},
      {"<\"a\\\"b\"@corp.example>", RelayDecision::accept},
      {"<postmaster@corp.example>", RelayDecision::accept},
      {"<user@evil.example>", RelayDecision::domain_not_accepted},
      {"<user@sub.corp.example>", RelayDecision::domain_not_accepted},
      {"<user@corp.example.evil>", RelayDecision::domain_not_accepted},
      {"<user@xcorp.example>", RelayDecision::domain_not_accepted},
      {"<user@corp>", RelayDecision::domain_not_accepted},
      {"<user@example>", RelayDecision::domain_not_accepted},
      {"<postmaster@evil.example>", RelayDecision::domain_not_accepted},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.path) {
      BOOST_TEST(decision_name(classify(c.path, accepted)) == decision_name(c.decision));
    }
  }
}

BOOST_AUTO_TEST_CASE(refuses_every_address_trick) {
  const std::vector<Case> cases = {
      // Source routes, whatever domains they name.
      {"<@corp.example:user@evil.example>", RelayDecision::source_route},
      {"<@evil.example:user@corp.example>", RelayDecision::source_route},
      {"<@corp.example,@corp.example:user@corp.example>", RelayDecision::source_route},
      // Address literals name a host, not an accepted domain.
      {"<user@[192.0.2.1]>", RelayDecision::address_literal},
      {"<user@[127.0.0.1]>", RelayDecision::address_literal},
      {"<user@[IPv6:::1]>", RelayDecision::address_literal},
      {"<postmaster@[192.0.2.1]>", RelayDecision::address_literal},
      // The percent hack, plain, quoted and escaped.
      {"<user%evil.example@corp.example>", RelayDecision::percent_in_local_part},
      {"<\"user%evil.example\"@corp.example>", RelayDecision::percent_in_local_part},
      {"<\"user\\%evil.example\"@corp.example>", RelayDecision::percent_in_local_part},
      {"<%@corp.example>", RelayDecision::percent_in_local_part},
      // Bang paths.
      {"<evil.example!user@corp.example>", RelayDecision::bang_in_local_part},
      {"<\"evil!user\"@corp.example>", RelayDecision::bang_in_local_part},
      {"<user!@corp.example>", RelayDecision::bang_in_local_part},
      // "@" hidden in a quoted local part, plain or escaped.
      {"<\"user@evil.example\"@corp.example>", RelayDecision::at_in_quoted_local_part},
      {"<\"user\\@evil.example\"@corp.example>", RelayDecision::at_in_quoted_local_part},
      {"<\"@\"@corp.example>", RelayDecision::at_in_quoted_local_part},
      // Tricks are refused even for domains that are not accepted anyway.
      {"<user%corp.example@evil.example>", RelayDecision::percent_in_local_part},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(escaped(c.path)) {
      const RelayDecision decision = classify(c.path, accepted);
      BOOST_TEST(decision_name(decision) == decision_name(c.decision));
      const std::optional<Reply> refusal = relay_refusal(decision);
      BOOST_TEST_REQUIRE(refusal.has_value());
      BOOST_TEST(refusal->code == 550);
      BOOST_TEST(refusal->enhanced == "5.7.1");
    }
  }
}

BOOST_AUTO_TEST_CASE(accepts_domainless_postmaster_whatever_the_domains) {
  for (const std::string path : {"<Postmaster>", "<postmaster>", "<POSTMASTER>"}) {
    BOOST_TEST_CONTEXT(path) {
      BOOST_TEST(decision_name(classify(path, accepted)) == "accept");
      BOOST_TEST(decision_name(classify(path, {})) == "accept");
    }
  }
}

BOOST_AUTO_TEST_CASE(refuses_everything_else_without_accepted_domains) {
  BOOST_TEST(decision_name(classify("<user@corp.example>", {})) == "domain_not_accepted");
}

BOOST_AUTO_TEST_CASE(gives_no_refusal_for_accepted_recipients) {
  BOOST_TEST(!relay_refusal(RelayDecision::accept).has_value());
  for (RelayDecision decision :
       {RelayDecision::source_route, RelayDecision::address_literal,
        RelayDecision::percent_in_local_part, RelayDecision::bang_in_local_part,
        RelayDecision::at_in_quoted_local_part, RelayDecision::domain_not_accepted}) {
    BOOST_TEST_CONTEXT(decision_name(decision)) {
      BOOST_TEST(relay_refusal(decision).value().code == 550);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace gateway::smtp
