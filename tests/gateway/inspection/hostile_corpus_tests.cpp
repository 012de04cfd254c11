// Hostile MIME: each message hides EICAR in a tricky place. For every one, nothing lets it
// through unseen: either a file's decoded bytes hold it, or a file covering it is
// unscannable; and replacing those files leaves no EICAR in any decoding of the output.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/inspection/message_analysis.hpp"
#include "gateway/inspection/rewriter.hpp"
#include "inspection_support.hpp"

namespace {

using gateway::inspection::AnalysisLimits;
using gateway::inspection::MessageAnalysis;
using gateway::inspection::RewritePlan;
using gateway::inspection::StringContentSource;
using inspection_test::base64;
using inspection_test::crlf;
using inspection_test::eicar;

const std::string top =
    "From: a@example.org\nTo: b@corp.example\nSubject: test\nMIME-Version: 1.0\n";

std::string mixed(const std::string& boundary, const std::string& body) {
  return top + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\n\n" + body;
}

const std::string text_part = "--b\nContent-Type: text/plain\n\nHello.\n";

enum class Expect { scanned, unscannable };

struct Case {
  std::string name;
  std::string message;
  Expect expect;
  std::string file_name;  // of the file holding EICAR, when scanned; empty: not checked
};

std::vector<Case> corpus() {
  const std::string b64 = base64(eicar);
  std::string dirty = b64;
  dirty.insert(10, "!*");
  dirty.insert(30, " \t");
  while (!dirty.empty() && (dirty.back() == '=' || dirty.back() == '\n'))
    dirty.pop_back();
  const std::string after_padding = base64(eicar.substr(0, 10)) + base64(eicar.substr(10));
  const std::string nested =
      "From: c@example.org\nContent-Type: multipart/mixed; boundary=in\n\n"
      "--in\nContent-Type: application/octet-stream; name=inner.com\n"
      "Content-Transfer-Encoding: base64\n\n" +
      b64 + "--in--\n";
  return {
      {"ordinary_base64_attachment",
       mixed("b", text_part +
                      "--b\nContent-Type: application/octet-stream; name=eicar.com\n"
                      "Content-Disposition: attachment; filename=eicar.com\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      b64 + "--b--\n"),
       Expect::scanned, "eicar.com"},
      {"quoted_printable_attachment",
       mixed("b", text_part +
                      "--b\nContent-Type: application/x-msdownload; name=q.com\n"
                      "Content-Transfer-Encoding: quoted-printable\n\n" +
                      inspection_test::quoted_printable(eicar) + "--b--\n"),
       Expect::scanned, "q.com"},
      {"duplicate_content_type",
       mixed("b", text_part +
                      "--b\nContent-Type: text/plain\n"
                      "Content-Type: application/octet-stream\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      b64 + "--b--\n"),
       Expect::unscannable, ""},
      {"duplicate_boundary_parameter",
       top +
           "Content-Type: multipart/mixed; boundary=\"a\"; boundary=\"b\"\n\n--a\n"
           "Content-Type: text/plain\n\nhi\n" +
           text_part +
           "--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n" +
           b64 + "--b--\n--a--\n",
       Expect::unscannable, ""},
      {"rfc2231_file_name",
       mixed("b", text_part +
                      "--b\nContent-Type: application/octet-stream\n"
                      "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20rechnung.com\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      b64 + "--b--\n"),
       Expect::scanned, "\xE2\x82\xAC rechnung.com"},
      {"rfc2047_file_name",
       mixed("b", text_part +
                      "--b\nContent-Type: application/octet-stream;\n"
                      " name=\"=?utf-8?B?w6RwZmVsLmNvbQ==?=\"\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      b64 + "--b--\n"),
       Expect::scanned, "\xC3\xA4pfel.com"},
      {"conflicting_name_and_filename",
       mixed("b", text_part +
                      "--b\nContent-Type: text/plain; name=\"notes.txt\"\n"
                      "Content-Disposition: attachment; filename=\"run.com\"\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      b64 + "--b--\n"),
       Expect::scanned, "run.com"},
      {"encoding_in_capitals_with_blanks",
       mixed("b", text_part +
                      "--b\nContent-Type: application/octet-stream; name=x.bin\n"
                      "Content-Transfer-Encoding:  BASE64 \n\n" +
                      b64 + "--b--\n"),
       Expect::scanned, "x.bin"},
      {"unknown_encoding",
       mixed("b", text_part +
                      "--b\nContent-Type: application/octet-stream; name=x.bin\n"
                      "Content-Transfer-Encoding: base65\n\n" +
                      b64 + "--b--\n"),
       Expect::unscannable, ""},
      {"encoding_given_twice",
       mixed("b", text_part +
                      "--b\nContent-Type: application/octet-stream; name=x.bin\n"
                      "Content-Transfer-Encoding: 7bit\nContent-Transfer-Encoding: base64\n\n" +
                      b64 + "--b--\n"),
       Expect::unscannable, ""},
      {"dirty_base64_without_padding",
       mixed("b", text_part +
                      "--b\nContent-Type: application/octet-stream; name=d.bin\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      dirty + "\n--b--\n"),
       Expect::scanned, "d.bin"},
      {"base64_data_after_padding",
       mixed("b", text_part +
                      "--b\nContent-Type: application/octet-stream; name=p.bin\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      after_padding + "--b--\n"),
       Expect::unscannable, ""},
      {"missing_final_boundary",
       mixed("b", text_part +
                      "--b\nContent-Type: application/octet-stream; name=m.com\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      b64),
       Expect::scanned, "m.com"},
      {"nested_message",
       mixed("b", text_part + "--b\nContent-Type: message/rfc822\n\n" + nested + "--b--\n"),
       Expect::scanned, "inner.com"},
      {"base64_encoded_nested_message",
       mixed("b", text_part +
                      "--b\nContent-Type: message/rfc822\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      base64(crlf(nested)) + "--b--\n"),
       Expect::scanned, "inner.com"},
      {"uuencode_in_text_body",
       top + "Content-Type: text/plain\n\nSee attached.\n\nbegin 644 uu.com\n" +
           inspection_test::uuencode_lines(eicar) + "end\n\nBye.\n",
       Expect::scanned, "uu.com"},
      {"uuencode_in_base64_text_part",
       mixed("b", "--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n" +
                      base64("Hi\nbegin 600 hidden.com\n" + inspection_test::uuencode_lines(eicar) +
                             "end\n") +
                      "--b--\n"),
       Expect::scanned, "hidden.com"},
      {"x_uuencode_encoding",
       mixed("b", text_part +
                      "--b\nContent-Type: application/octet-stream; name=xu.com\n"
                      "Content-Transfer-Encoding: x-uuencode\n\nbegin 644 xu.com\n" +
                      inspection_test::uuencode_lines(eicar) + "end\n--b--\n"),
       Expect::scanned, "xu.com"},
      {"part_without_headers", mixed("b", text_part + "--b\n\n" + eicar + "\n--b--\n"),
       Expect::scanned, "part-2"},
      {"part_whose_first_line_is_not_a_field",
       mixed("b", text_part + "--b\n" + eicar + "\n--b--\n"), Expect::unscannable, ""},
      {"boundary_in_preamble",
       mixed("b",
             "--x\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: "
             "base64\n\n" +
                 b64 + "--x--\n" + text_part + "--b--\n"),
       Expect::unscannable, ""},
      {"structure_in_epilogue",
       mixed("b", text_part +
                      "--b--\n--b\nContent-Type: application/octet-stream\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      b64),
       Expect::unscannable, ""},
      {"delimiter_with_trailing_junk",
       mixed("b", text_part +
                      "--bX\nContent-Type: application/octet-stream\n"
                      "Content-Transfer-Encoding: base64\n\n" +
                      b64 + "--b--\n"),
       Expect::unscannable, ""},
      {"top_level_attachment",
       top +
           "Content-Type: application/octet-stream; name=\"top.com\"\n"
           "Content-Disposition: attachment; filename=\"top.com\"\n"
           "Content-Transfer-Encoding: base64\n\n" +
           b64,
       Expect::scanned, "top.com"},
      {"multipart_without_boundary",
       top + "Content-Type: multipart/mixed\nContent-Transfer-Encoding: base64\n\n" + b64,
       Expect::unscannable, ""},
      {"encoded_multipart",
       top + "Content-Type: multipart/mixed; boundary=b\nContent-Transfer-Encoding: base64\n\n" +
           base64(crlf(text_part + "--b\nContent-Type: application/octet-stream\n\n" + eicar +
                       "\n--b--\n")),
       Expect::unscannable, ""},
  };
}

bool holds_eicar(StringContentSource& source, const gateway::inspection::File& file) {
  return inspection_test::decoded(source, file).find(eicar) != std::string::npos;
}

BOOST_AUTO_TEST_SUITE(inspection_hostile_mime)

BOOST_AUTO_TEST_CASE(no_corpus_message_lets_eicar_through_unseen) {
  for (const auto& test : corpus()) {
    BOOST_TEST_CONTEXT("case " << test.name) {
      const std::string message = crlf(test.message);
      StringContentSource source(message);
      const MessageAnalysis analysis = inspection_test::analyse_text(message);
      // The detector used on the output finds EICAR in the input, so its silence counts.
      BOOST_TEST(inspection_test::eicar_anywhere(message));

      // Seen: scanned with EICAR in its decoded bytes, or unscannable.
      RewritePlan plan = inspection_test::keep_all(analysis);
      bool scanned_eicar = false;
      bool unscannable = false;
      for (std::size_t i = 0; i < analysis.files.size(); ++i) {
        const auto& file = analysis.files[i];
        BOOST_TEST_MESSAGE(test.name << ": " << file.part_path << " \"" << file.file_name << "\" "
                                     << file.content_type << " "
                                     << (file.unscannable() ? file.unscannable_detail : "ok"));
        const bool eicar_file = !file.unscannable() && holds_eicar(source, file);
        if (eicar_file && !test.file_name.empty()) {
          BOOST_TEST(file.file_name == test.file_name);
        }
        scanned_eicar = scanned_eicar || eicar_file;
        unscannable = unscannable || file.unscannable();
        if (eicar_file || file.unscannable()) {
          plan.notices[i] = "This attachment was removed.";
        }
      }
      BOOST_TEST((scanned_eicar || unscannable));
      if (test.expect == Expect::scanned) {
        BOOST_TEST(scanned_eicar);
      } else {
        BOOST_TEST(unscannable);
      }

      // Replacing what was seen leaves nothing to find, and the output still parses.
      const std::string output = inspection_test::rewrite_text(message, analysis, plan);
      BOOST_TEST(!inspection_test::eicar_anywhere(output), "output:\n" << output);
      BOOST_TEST(inspection_test::gmime_shape(output) != "-");
    }
  }
}

BOOST_AUTO_TEST_CASE(conflicting_names_are_all_kept_for_scanning) {
  const auto& cases = corpus();
  const auto& conflicting = *std::find_if(cases.begin(), cases.end(), [](const Case& c) {
    return c.name == "conflicting_name_and_filename";
  });
  const auto analysis = inspection_test::analyse_text(crlf(conflicting.message));
  BOOST_TEST_REQUIRE(analysis.files.size() == 1u);
  BOOST_TEST(analysis.files[0].file_name == "run.com");
  BOOST_TEST(analysis.files[0].other_names == std::vector<std::string>{"notes.txt"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(nesting_and_part_count_beyond_limits_are_unscannable) {
  // Three multiparts inside each other with a limit of two.
  const std::string deep = crlf(mixed("b",
                                      "--b\nContent-Type: multipart/mixed; boundary=c\n\n--c\n"
                                      "Content-Type: multipart/mixed; boundary=d\n\n--d\n"
                                      "Content-Type: application/octet-stream\n\n" +
                                          eicar + "\n--d--\n--c--\n--b--\n"));
  AnalysisLimits shallow;
  shallow.nesting_depth_max = 2;
  const auto nested = inspection_test::analyse_text(deep, shallow);
  BOOST_TEST_REQUIRE(nested.files.size() == 1u);
  BOOST_TEST(nested.files[0].unscannable());
  BOOST_TEST(nested.files[0].part_path == "1.1");

  // Five parts with a limit of three (the multipart itself counts).
  std::string body;
  for (int i = 0; i < 5; ++i) {
    body += "--b\nContent-Type: application/octet-stream; name=f" + std::to_string(i) + "\n\n" +
            eicar + "\n";
  }
  AnalysisLimits few;
  few.part_count_max = 3;
  const auto many = inspection_test::analyse_text(crlf(mixed("b", body + "--b--\n")), few);
  BOOST_TEST_REQUIRE(many.files.size() == 3u);
  BOOST_TEST(!many.files[1].unscannable());
  BOOST_TEST(many.files[2].unscannable());
  BOOST_TEST(many.files[2].part_path == "3");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
