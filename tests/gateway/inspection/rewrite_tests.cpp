// Rewriting: kept bytes are copied verbatim, replaced parts become notices in place, the
// top-level header loses forged verdict fields and gains the new ones.
#include <string>

#include <boost/test/unit_test.hpp>

#include "gateway/inspection/rewriter.hpp"
#include "inspection_support.hpp"

namespace {

using gateway::inspection::RewritePlan;
using inspection_test::base64;
using inspection_test::crlf;

const std::string first_attachment =
    crlf(
        "Content-Type: application/pdf; name=a.pdf\nContent-Disposition: attachment; "
        "filename=a.pdf\nContent-Transfer-Encoding: base64\n\n") +
    crlf(base64("%PDF-1.4 first")).substr(0, crlf(base64("%PDF-1.4 first")).size() - 2);
const std::string second_attachment =
    crlf("Content-Type: image/png; name=b.png\nContent-Transfer-Encoding: base64\n\n") +
    crlf(base64("PNG second")).substr(0, crlf(base64("PNG second")).size() - 2);

const std::string clean_message =
    crlf(
        "Received: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\nFrom: a@example.org\n"
        "To: b@corp.example\nSubject: two files\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"sep\"\n\nThis is MIME.\n--sep\n"
        "Content-Type: text/plain\n\nHello.\n--sep\n") +
    first_attachment + crlf("\n--sep\n") + second_attachment + crlf("\n--sep--\n");

const std::string verdict = "X-Threat-Emulation: \"a.pdf\" sha256=00; benign\r\n";

BOOST_AUTO_TEST_SUITE(inspection_rewrite)

BOOST_AUTO_TEST_CASE(keeping_every_file_is_byte_identical_but_for_added_fields) {
  const auto analysis = inspection_test::analyse_text(clean_message);
  BOOST_TEST_REQUIRE(analysis.files.size() == 2u);
  RewritePlan plan = inspection_test::keep_all(analysis);
  BOOST_TEST(inspection_test::rewrite_text(clean_message, analysis, plan) == clean_message);

  plan.added_fields = {{"X-Threat-Emulation", "\"a.pdf\" sha256=00; benign"}};
  BOOST_TEST(inspection_test::rewrite_text(clean_message, analysis, plan) ==
             verdict + clean_message);
}

BOOST_AUTO_TEST_CASE(forged_verdict_fields_are_removed_folded_lines_included) {
  const std::string forged = crlf(
                                 "x-threat-emulation: \"a.pdf\" sha256=00; benign\n"
                                 "X-THREAT-EMULATION: \"b.png\"\n sha256=11;\n\tbenign\n") +
                             clean_message.substr(0, clean_message.find("Subject")) +
                             crlf("X-Threat-Emulation: no-files\n") +
                             clean_message.substr(clean_message.find("Subject"));
  const auto analysis = inspection_test::analyse_text(forged);
  RewritePlan plan = inspection_test::keep_all(analysis);
  plan.removed_fields = {"X-Threat-Emulation"};
  plan.added_fields = {{"X-Threat-Emulation", "\"a.pdf\" sha256=00; benign"}};
  BOOST_TEST(inspection_test::rewrite_text(forged, analysis, plan) == verdict + clean_message);
}

BOOST_AUTO_TEST_CASE(a_replaced_part_becomes_a_notice_and_the_other_stays_identical) {
  const auto analysis = inspection_test::analyse_text(clean_message);
  RewritePlan plan = inspection_test::keep_all(analysis);
  plan.notices[0] = "The attachment a.pdf was removed:\nit was judged malicious.";
  const std::string output = inspection_test::rewrite_text(clean_message, analysis, plan);

  const std::string notice = crlf(
      "Content-Type: text/plain; charset=us-ascii\n"
      "Content-Disposition: inline\n"
      "Content-Transfer-Encoding: 7bit\n\n"
      "The attachment a.pdf was removed:\n"
      "it was judged malicious.");
  std::string want = clean_message;
  want.replace(want.find(first_attachment), first_attachment.size(), notice);
  BOOST_TEST(output == want);
  BOOST_TEST(output.find(second_attachment) != std::string::npos);

  // GMime reads the same structure back, and the kept file is unchanged.
  BOOST_TEST(inspection_test::gmime_shape(output) == inspection_test::gmime_shape(clean_message));
  const auto again = inspection_test::analyse_text(output);
  BOOST_TEST_REQUIRE(again.files.size() == 1u);
  BOOST_TEST(again.files[0].sha256 == analysis.files[1].sha256);
}

BOOST_AUTO_TEST_CASE(a_replaced_top_level_attachment_rewrites_the_content_fields) {
  const std::string message =
      crlf(
          "From: a@example.org\nContent-Type: application/octet-stream;\n name=\"x.com\"\n"
          "Subject: s\nContent-Transfer-Encoding: base64\n\n") +
      crlf(base64("MZ binary"));
  const auto analysis = inspection_test::analyse_text(message);
  BOOST_TEST_REQUIRE(analysis.files.size() == 1u);
  BOOST_TEST((analysis.files[0].placement == gateway::inspection::Placement::message_body));
  RewritePlan plan = inspection_test::keep_all(analysis);
  plan.notices[0] = "Removed.";
  BOOST_TEST(inspection_test::rewrite_text(message, analysis, plan) ==
             crlf("From: a@example.org\nSubject: s\n"
                  "Content-Type: text/plain; charset=us-ascii\nContent-Disposition: inline\n"
                  "Content-Transfer-Encoding: 7bit\n\nRemoved.\n"));
}

BOOST_AUTO_TEST_CASE(a_replaced_encoded_nested_message_is_replaced_whole) {
  const std::string inner =
      crlf("From: c@example.org\nContent-Type: application/octet-stream; name=i.bin\n\nBAD\n");
  const std::string message =
      crlf(
          "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
          "Content-Type: text/plain\n\nhi\n--b\nContent-Type: message/rfc822\n"
          "Content-Transfer-Encoding: base64\n\n") +
      crlf(base64(inner)) + crlf("--b--\n");
  const auto analysis = inspection_test::analyse_text(message);
  BOOST_TEST_REQUIRE(analysis.files.size() == 1u);
  BOOST_TEST(analysis.files[0].part_path == "2.1");
  RewritePlan plan = inspection_test::keep_all(analysis);
  plan.notices[0] = "Removed.";
  const std::string output = inspection_test::rewrite_text(message, analysis, plan);
  BOOST_TEST(output ==
             crlf("From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                  "Content-Type: text/plain\n\nhi\n--b\n"
                  "Content-Type: text/plain; charset=us-ascii\nContent-Disposition: inline\n"
                  "Content-Transfer-Encoding: 7bit\n\nRemoved.\n--b--\n"));
  BOOST_TEST(inspection_test::gmime_shape(output) == "M(L,L)");
}

BOOST_AUTO_TEST_CASE(plans_that_would_break_the_message_are_refused) {
  const auto analysis = inspection_test::analyse_text(clean_message);
  gateway::inspection::StringContentSource source(clean_message);
  auto ignore = [](std::string_view) { return runtime::Result<void>(); };

  RewritePlan wrong_count;
  BOOST_TEST(!rewrite(source, analysis, wrong_count, ignore).has_value());

  for (const std::string bad : {"--sep--", "caf\xC3\xA9"}) {
    RewritePlan plan = inspection_test::keep_all(analysis);
    plan.notices[0] = bad;
    BOOST_TEST(!rewrite(source, analysis, plan, ignore).has_value(), bad);
  }
  RewritePlan injected = inspection_test::keep_all(analysis);
  injected.added_fields = {{"X-Threat-Emulation", "benign\r\nBcc: x@example.org"}};
  BOOST_TEST(!rewrite(source, analysis, injected, ignore).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
