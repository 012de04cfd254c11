// The emulation protocol from a client's side: every status code, the verdict rules, bad
// requests, and what the counters and the trace say afterwards.
#include <functional>
#include <string>
#include <vector>

#include "emulator_fixture.hpp"
#include "zip_maker.hpp"

namespace emulator_test {
namespace {

const std::string eicar(emulator_mock::eicar_test_string());
const std::string sha_of_nothing(64, '0');

BOOST_AUTO_TEST_SUITE(protocol)

// Every status code of the protocol, each reached the way a client would reach it.
struct StatusCase {
  std::string name;
  std::string yaml;
  std::function<HttpResponse(Fixture&)> steps;
  int code;
  std::string verdict;
};

BOOST_AUTO_TEST_CASE(every_status_code_is_reachable) {
  const std::vector<StatusCase> cases = {
      {"found after an upload without delay", "",
       [](Fixture& f) {
         f.upload("a.txt", "hello");
         return f.query(emulator_mock::sha256_hex("hello"));
       },
       1001, "benign"},
      {"upload success", "", [](Fixture& f) { return f.upload("a.txt", "hello"); }, 1002,
       "unknown"},
      {"pending while the emulation runs", "default: {delay: 1m}\n",
       [](Fixture& f) {
         f.upload("a.txt", "hello");
         return f.query(emulator_mock::sha256_hex("hello"));
       },
       1003, "unknown"},
      {"not found for a hash never uploaded", "",
       [](Fixture& f) { return f.query(sha_of_nothing); }, 1004, "unknown"},
      {"no quota forced by a rule", "rules: [{match: {}, status: 1005}]\n",
       [](Fixture& f) { return f.upload("a.txt", "hello"); }, 1005, "unknown"},
      {"partially found forced by a rule", "rules: [{match: {}, status: 1006}]\n",
       [](Fixture& f) {
         f.upload("a.txt", "hello");
         return f.query(emulator_mock::sha256_hex("hello"));
       },
       1006, "unknown"},
      {"file type not supported by name",
       "rules: [{match: {file_name: ['*.XYZ']}, status: 1007}]\n",
       [](Fixture& f) { return f.upload("odd.xyz", "hello"); }, 1007, "unknown"},
      {"bad request for a query without a hash", "",
       [](Fixture& f) {
         return f.send(http_request("POST", emulator_mock::query_path, "application/json",
                                    R"({"request": {"file_name": "a"}})"));
       },
       1008, "unknown"},
      {"internal error from a fault", "faults: [{kind: status, code: 1009}]\n",
       [](Fixture& f) { return f.query(sha_of_nothing); }, 1009, "unknown"},
      {"forbidden forced by a rule", "rules: [{match: {file_name: ['*']}, status: 1010}]\n",
       [](Fixture& f) { return f.upload("a.txt", "hello"); }, 1010, "unknown"},
      {"not enough resources when the file table is full", "max_files: 1\n",
       [](Fixture& f) {
         f.upload("a.txt", "first");
         return f.upload("b.txt", "second");
       },
       1011, "unknown"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Fixture fixture(c.yaml);
      const HttpResponse got = c.steps(fixture);
      BOOST_TEST(got.http_status == 200);
      BOOST_TEST(got.complete);
      BOOST_TEST(got.code == c.code);
      const auto code = *emulator_mock::status_from_number(c.code);
      BOOST_TEST(got.label == emulator_mock::status_label(code));
      BOOST_TEST(got.verdict == c.verdict);
    }
  }
}

// Which rule decides, for files and names that exercise each kind of condition.
struct VerdictCase {
  std::string name;
  std::string yaml;
  std::string file_name;
  std::string content;
  std::string verdict;
};

BOOST_AUTO_TEST_CASE(verdict_rules_first_match_wins) {
  const std::string hello_sha = emulator_mock::sha256_hex("hello");
  const std::string by_hash = "rules:\n"
                              "  - match: {sha256: [" + hello_sha + "]}\n"
                              "    verdict: malicious\n"
                              "  - match: {file_name: ['*.exe', 'report-??.pdf']}\n"
                              "    verdict: unknown\n"
                              "  - match: {eicar: true}\n"
                              "    verdict: malicious\n"
                              "default: {verdict: benign}\n";
  const std::vector<VerdictCase> cases = {
      {"no configuration: plain EICAR is malicious", "", "eicar.com", eicar, "malicious"},
      {"no configuration: EICAR inside text is malicious", "", "note.txt",
       "before\n" + eicar + "\nafter", "malicious"},
      {"no configuration: EICAR inside a zip is malicious", "", "archive.zip",
       make_zip({{"readme.txt", "nothing"}, {"eicar.com", eicar}}), "malicious"},
      {"no configuration: EICAR in a zip inside a zip is malicious", "", "nested.zip",
       make_zip({{"inner.zip", make_zip({{"eicar.com", eicar}})}}), "malicious"},
      {"no configuration: a clean zip is benign", "", "clean.zip",
       make_zip({{"readme.txt", "nothing to see"}}), "benign"},
      {"no configuration: anything else is benign", "", "a.exe", "MZ...", "benign"},
      {"sha256 list", by_hash, "whatever.txt", "hello", "malicious"},
      {"name pattern with a star, case-insensitive", by_hash, "SETUP.EXE", "x", "unknown"},
      {"name pattern with question marks", by_hash, "report-07.pdf", "x", "unknown"},
      {"a question mark is exactly one character", by_hash, "report-007.pdf", "x", "benign"},
      {"rules replace the built-in one, in order", by_hash, "setup.exe", eicar, "unknown"},
      {"the default verdict", "default: {verdict: unknown}\nrules: []\n", "e.com", eicar,
       "unknown"},
      {"all conditions of a match must hold",
       "rules: [{match: {eicar: true, file_name: ['*.com']}, verdict: malicious}]\n", "e.txt",
       eicar, "benign"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Fixture fixture(c.yaml);
      BOOST_TEST(fixture.upload(c.file_name, c.content).code == 1002);
      const HttpResponse got = fixture.query(emulator_mock::sha256_hex(c.content));
      BOOST_TEST(got.code == 1001);
      BOOST_TEST(got.verdict == c.verdict);
    }
  }
}

// Requests that must get BAD_REQUEST and change nothing.
BOOST_AUTO_TEST_CASE(malformed_requests_get_bad_request) {
  const std::string good_json = R"({"request": {"file_name": "a.txt"}})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"query body is not JSON",
       http_request("POST", emulator_mock::query_path, "application/json", "{not json")},
      {"query without the request object",
       http_request("POST", emulator_mock::query_path, "application/json", R"({"sha256": "x"})")},
      {"query hash is not hex",
       http_request("POST", emulator_mock::query_path, "application/json",
                    R"({"request": {"sha256": ")" + std::string(64, 'z') + R"("}})")},
      {"query hash is short",
       http_request("POST", emulator_mock::query_path, "application/json",
                    R"({"request": {"sha256": "abc"}})")},
      {"query asks for features without te",
       http_request("POST", emulator_mock::query_path, "application/json",
                    R"({"request": {"sha256": ")" + sha_of_nothing +
                        R"(", "features": ["av"]}})")},
      {"query nests too deep",
       http_request("POST", emulator_mock::query_path, "application/json",
                    std::string(200, '[') + std::string(200, ']'))},
      {"upload is not multipart",
       http_request("POST", emulator_mock::upload_path, "application/json", good_json)},
      {"upload without a file part",
       http_request("POST", emulator_mock::upload_path, "multipart/form-data; boundary=b",
                    "--b\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n" + good_json +
                        "\r\n--b--\r\n")},
      {"upload without its closing delimiter",
       http_request("POST", emulator_mock::upload_path, "multipart/form-data; boundary=b",
                    "--b\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n" + good_json)},
      {"upload whose hash is not the file's",
       http_request("POST", emulator_mock::upload_path, "multipart/form-data; boundary=b",
                    form_body("b", R"({"request": {"sha256": ")" + sha_of_nothing + R"("}})",
                              "a.txt", "hello"))},
  };
  for (const auto& [name, raw] : cases) {
    BOOST_TEST_CONTEXT(name) {
      Fixture fixture;
      const HttpResponse got = fixture.send(raw);
      BOOST_TEST(got.http_status == 200);
      BOOST_TEST(got.code == 1008);
      BOOST_TEST(fixture.emulator->counters().bad_requests == 1U);
      BOOST_TEST(fixture.emulator->counters().files_seen == 0U);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_file_name_may_come_from_the_file_part) {
  Fixture fixture("rules: [{match: {file_name: ['*.js']}, verdict: malicious}]\n");
  const std::string body =
      form_body("b", R"({"request": {"features": ["te"]}})", "dropper.js", "var x;");
  BOOST_TEST(fixture.send(http_request("POST", emulator_mock::upload_path,
                                       "multipart/form-data; boundary=\"b\"", body))
                 .code == 1002);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("var x;")).verdict == "malicious");
}

BOOST_AUTO_TEST_CASE(http_errors_outside_the_api) {
  Fixture fixture("max_file_size: 1KiB\n");
  BOOST_TEST(fixture.send(http_request("GET", emulator_mock::query_path, "", "")).http_status ==
             405);
  BOOST_TEST(fixture.send(http_request("POST", "/elsewhere", "", "")).http_status == 404);
  // Over max_file_size: refused before the file is read into the table.
  BOOST_TEST(fixture.upload("big.bin", std::string(2048, 'x')).http_status == 413);
  // Far over: the HTTP parser stops reading at its body limit.
  BOOST_TEST(fixture.upload("huge.bin", std::string(200 * 1024, 'x')).http_status == 413);
  BOOST_TEST(fixture.emulator->counters().files_seen == 0U);
}

BOOST_AUTO_TEST_CASE(a_known_file_uploaded_again_starts_nothing_new) {
  Fixture fixture("default: {delay: 10s}\n");
  BOOST_TEST(fixture.upload("a.txt", "hello").code == 1002);
  BOOST_TEST(fixture.upload("a.txt", "hello").code == 1003);
  fixture.run_to(11s);
  BOOST_TEST(fixture.upload("a.txt", "hello").code == 1001);
  BOOST_TEST(fixture.emulator->counters().files_seen == 1U);
  BOOST_TEST(fixture.events("emulator.upload").size() == 1U);
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_several_requests_on_one_connection) {
  Fixture fixture;
  std::string two = query_request(sha_of_nothing);
  // The first request asks to keep the connection; the second closes it.
  const auto close_at = two.find("Connection: close");
  std::string first = two;
  first.replace(close_at, 17, "Connection: keep-alive");
  const HttpResponse got = fixture.send(first + two);
  BOOST_TEST(got.head.find("Connection: keep-alive") != std::string::npos);
  BOOST_TEST(fixture.emulator->counters().queries == 2U);
  BOOST_TEST(fixture.emulator->counters().connections == 1U);
}

BOOST_AUTO_TEST_CASE(counters_and_trace_record_what_happened) {
  Fixture fixture("rules: [{match: {eicar: true}, verdict: malicious}]\n"
                  "default: {verdict: benign, delay: 5s}\n");
  fixture.upload("eicar.com", eicar);
  fixture.upload("clean.txt", "clean");
  fixture.query(sha_of_nothing);
  fixture.query(emulator_mock::sha256_hex("clean"));  // pending
  fixture.send(http_request("POST", emulator_mock::query_path, "application/json", "[]"));
  fixture.run_to(10s);
  fixture.query(emulator_mock::sha256_hex("clean"));  // found

  const auto counters = fixture.emulator->counters();
  BOOST_TEST(counters.uploads == 2U);
  BOOST_TEST(counters.queries == 4U);
  BOOST_TEST(counters.files_seen == 2U);
  BOOST_TEST(counters.verdicts_malicious == 1U);
  BOOST_TEST(counters.verdicts_benign == 1U);
  BOOST_TEST(counters.verdicts_unknown == 0U);
  BOOST_TEST(counters.bad_requests == 1U);
  BOOST_TEST(counters.connections == 6U);
  BOOST_TEST(counters.answers.at(1002) == 2U);
  BOOST_TEST(counters.answers.at(1004) == 1U);
  BOOST_TEST(counters.answers.at(1003) == 1U);
  BOOST_TEST(counters.answers.at(1001) == 1U);
  BOOST_TEST(counters.faults_injected == 0U);

  const auto verdicts = fixture.events("emulator.verdict");
  BOOST_REQUIRE(verdicts.size() == 2U);
  BOOST_TEST(verdicts[0].fields.at("verdict").as_string() == "malicious");
  BOOST_TEST(verdicts[1].fields.at("file_name").as_string() == "clean.txt");
  const auto uploads = fixture.events("emulator.upload");
  BOOST_REQUIRE(uploads.size() == 2U);
  BOOST_TEST(uploads[0].fields.at("rule").as_string() == "rules[0]");
  BOOST_TEST(uploads[1].fields.at("rule").as_string() == "default");
  // The clean file's verdict came exactly its delay after its upload.
  BOOST_TEST(verdicts[1].t_us - uploads[1].t_us == 5'000'000);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace emulator_test
