// The EHLO reply's keywords, as the options and the TLS state select them.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "gateway/smtp/capabilities.hpp"
#include "tests/gateway/smtp/test_support.hpp"

namespace gateway::smtp {
namespace {

using testing::escaped;
using Keywords = std::vector<std::string>;

CapabilityOptions plaintext_with_tls_offered() {
  CapabilityOptions options;
  options.hostname = "gw.example.net";
  options.starttls_offered = true;
  return options;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_capabilities)

BOOST_AUTO_TEST_CASE(announces_every_offered_extension_in_wire_form) {
  const Reply reply = ehlo_reply(plaintext_with_tls_offered());
  BOOST_TEST(reply.code == 250);
  BOOST_TEST(reply.enhanced.empty());
  const std::string expected =
      "250-gw.example.net\r\n250-SIZE 26214400\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
      "250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n250 STARTTLS\r\n";
  BOOST_TEST(escaped(to_wire(reply)) == escaped(expected));
}

BOOST_AUTO_TEST_CASE(stops_offering_starttls_once_tls_is_active) {
  CapabilityOptions options = plaintext_with_tls_offered();
  options.tls_active = true;
  const Keywords keywords = capability_keywords(options);
  BOOST_TEST((std::find(keywords.begin(), keywords.end(), "STARTTLS") == keywords.end()));
}

BOOST_AUTO_TEST_CASE(never_offers_starttls_without_tls_configured) {
  CapabilityOptions options = plaintext_with_tls_offered();
  options.starttls_offered = false;
  const Keywords keywords = capability_keywords(options);
  BOOST_TEST((std::find(keywords.begin(), keywords.end(), "STARTTLS") == keywords.end()));
}

BOOST_AUTO_TEST_CASE(follows_each_option) {
  CapabilityOptions options;
  options.hostname = "gw";
  options.message_octets_max = 1000;
  options.pipelining = false;
  options.eight_bit_mime = false;
  options.enhanced_status_codes = false;
  options.chunking = false;
  BOOST_TEST(capability_keywords(options) == (Keywords{"SIZE 1000"}));

  options.chunking = true;
  options.pipelining = true;
  BOOST_TEST(capability_keywords(options) == (Keywords{"SIZE 1000", "PIPELINING", "CHUNKING"}));
}

BOOST_AUTO_TEST_CASE(never_offers_smtputf8) {
  const Keywords keywords = capability_keywords(plaintext_with_tls_offered());
  for (const std::string& keyword : keywords) {
    BOOST_TEST(keyword.find("SMTPUTF8") == std::string::npos);
    BOOST_TEST(keyword.find("BINARYMIME") == std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace gateway::smtp
