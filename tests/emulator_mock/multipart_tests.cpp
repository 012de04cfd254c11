// The multipart/form-data reader and the glob patterns, on well-formed and hostile input.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "emulator_mock/behaviour.hpp"
#include "emulator_mock/file_scan.hpp"
#include "emulator_mock/multipart.hpp"

namespace {

using emulator_mock::form_boundary;
using emulator_mock::parse_form;

BOOST_AUTO_TEST_SUITE(multipart)

BOOST_AUTO_TEST_CASE(boundaries_are_read_from_the_content_type) {
  BOOST_TEST(*form_boundary("multipart/form-data; boundary=abc") == "abc");
  BOOST_TEST(*form_boundary("Multipart/Form-Data;charset=x; Boundary=\"a b;c\"") == "a b;c");
  BOOST_TEST(!form_boundary("multipart/mixed; boundary=abc"));
  BOOST_TEST(!form_boundary("multipart/form-data"));
  BOOST_TEST(!form_boundary("multipart/form-data; boundary="));
  BOOST_TEST(!form_boundary("multipart/form-data; boundary=" + std::string(71, 'x')));
  BOOST_TEST(!form_boundary("multipart/form-data; boundary=\"unterminated"));
}

BOOST_AUTO_TEST_CASE(parts_keep_their_names_file_names_and_bytes) {
  const std::string body =
      "preamble\r\n--b\r\n"
      "Content-Disposition: form-data; name=\"request\"\r\n\r\n{}\r\n"
      "--b\r\n"
      "content-disposition: form-data; name=file; filename=\"x.bin\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n"
      "a\r\n--not-the-boundary\r\nb\r\n--b--\r\n";
  const auto parts = parse_form(body, "b");
  BOOST_REQUIRE(parts);
  BOOST_REQUIRE(parts->size() == 2U);
  BOOST_TEST((*parts)[0].name == "request");
  BOOST_TEST((*parts)[0].content == "{}");
  BOOST_TEST((*parts)[1].name == "file");
  BOOST_TEST((*parts)[1].file_name == "x.bin");
  BOOST_TEST((*parts)[1].content_type == "application/octet-stream");
  BOOST_TEST((*parts)[1].content == "a\r\n--not-the-boundary\r\nb");
}

BOOST_AUTO_TEST_CASE(hostile_bodies_are_refused) {
  std::string many;
  for (std::size_t i = 0; i <= emulator_mock::max_form_parts; ++i) {
    many += "--b\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n";
  }
  many += "--b--\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"no delimiter", "just text"},
      {"no closing delimiter", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx"},
      {"no blank line after headers", "--b\r\nContent-Disposition: form-data; name=\"a\""},
      {"no disposition", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n"},
      {"no name", "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"},
      {"another disposition", "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--"},
      {"header line without colon", "--b\r\nnonsense\r\n\r\nx\r\n--b--\r\n"},
      {"oversized headers", "--b\r\nX: " + std::string(5000, 'h') + "\r\n\r\nx\r\n--b--\r\n"},
      {"too many parts", many},
      {"garbage after a delimiter", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n"
                                    "--bxx"},
  };
  for (const auto& [name, body] : cases) {
    BOOST_TEST_CONTEXT(name) { BOOST_TEST(!parse_form(body, "b")); }
  }
}

BOOST_AUTO_TEST_CASE(glob_patterns) {
  using emulator_mock::glob_match;
  BOOST_TEST(glob_match("*.exe", "SETUP.EXE"));
  BOOST_TEST(glob_match("*", ""));
  BOOST_TEST(glob_match("a*b*c", "aXXbYYc"));
  BOOST_TEST(!glob_match("a*b*c", "aXXbYY"));
  BOOST_TEST(glob_match("??.doc", "ab.doc"));
  BOOST_TEST(!glob_match("??.doc", "abc.doc"));
  BOOST_TEST(!glob_match("*.exe", "exe"));
  // A pathological pattern stays fast: no exponential backtracking.
  BOOST_TEST(!glob_match(std::string(50, '*') + "b", std::string(10000, 'a')));
}

BOOST_AUTO_TEST_CASE(sha256_of_known_text) {
  BOOST_TEST(emulator_mock::sha256_hex("") ==
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(emulator_mock::sha256_hex(emulator_mock::eicar_test_string()) ==
             "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
}

BOOST_AUTO_TEST_CASE(damaged_zips_are_not_trusted_or_fatal) {
  const std::string fake = "PK\x03\x04" + std::string(100, '\xff');
  BOOST_TEST(!emulator_mock::contains_eicar(fake));
  BOOST_TEST(!emulator_mock::contains_eicar("PK"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
