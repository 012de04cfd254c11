// Every fault the emulator injects, as a client sees it, with outage windows and rules.
#include <string>
#include <vector>

#include "emulator_fixture.hpp"

namespace emulator_test {
namespace {

const std::string unknown_sha(64, 'a');

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(http_errors_replace_the_answer) {
  for (const int status : {500, 503}) {
    BOOST_TEST_CONTEXT("HTTP " << status) {
      Fixture fixture("faults: [{kind: http_" + std::to_string(status) + "}]\n");
      const HttpResponse got = fixture.query(unknown_sha);
      BOOST_TEST(got.http_status == status);
      BOOST_TEST(got.code == 0);
      const auto counters = fixture.emulator->counters();
      BOOST_TEST(counters.faults_injected == 1U);
      BOOST_TEST(counters.faults_by_kind.at("http_" + std::to_string(status)) == 1U);
      BOOST_TEST(counters.answers.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(status_faults_answer_with_their_code_for_the_requests_named) {
  Fixture fixture("faults: [{kind: status, code: 1011, requests: [query]}]\n");
  BOOST_TEST(fixture.query(unknown_sha).code == 1011);
  BOOST_TEST(fixture.upload("a.txt", "hello").code == 1002);
  BOOST_TEST(fixture.emulator->counters().answers.at(1011) == 1U);
}

BOOST_AUTO_TEST_CASE(a_service_fault_on_an_upload_records_nothing) {
  Fixture fixture("faults: [{kind: status, code: 1005, requests: [upload]}]\n");
  BOOST_TEST(fixture.upload("a.txt", "hello").code == 1005);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("hello")).code == 1004);
  BOOST_TEST(fixture.emulator->counters().files_seen == 0U);
}

BOOST_AUTO_TEST_CASE(hang_answers_nothing_until_the_client_gives_up) {
  Fixture fixture("faults: [{kind: hang}]\n");
  const HttpResponse got = fixture.query(unknown_sha, 30s);
  BOOST_TEST(got.connected);
  BOOST_TEST(got.timed_out);
  BOOST_TEST(got.head.empty());
  BOOST_TEST(got.body.empty());
  BOOST_TEST(fixture.emulator->counters().faults_by_kind.at("hang") == 1U);
}

BOOST_AUTO_TEST_CASE(hang_for_closes_the_connection_after_its_time) {
  Fixture fixture("faults: [{kind: hang, hang_for: 10s}]\n");
  const HttpResponse got = fixture.query(unknown_sha, 1min);
  BOOST_TEST(!got.timed_out);
  BOOST_TEST(got.body.empty());
  BOOST_TEST(got.finished_at >= SimTime(10s));
  BOOST_TEST(got.finished_at < SimTime(11s));
}

BOOST_AUTO_TEST_CASE(reset_drops_the_connection_in_the_middle_of_the_answer) {
  Fixture fixture("faults: [{kind: reset}]\n");
  const HttpResponse got = fixture.query(unknown_sha);
  BOOST_TEST(got.http_status == 200);
  BOOST_TEST(!got.complete);
  BOOST_TEST(!got.body.empty());
  BOOST_TEST(got.code == 0);
}

BOOST_AUTO_TEST_CASE(malformed_json_is_a_complete_answer_that_does_not_parse) {
  Fixture fixture("faults: [{kind: malformed_json}]\n");
  const HttpResponse got = fixture.query(unknown_sha);
  BOOST_TEST(got.http_status == 200);
  BOOST_TEST(got.complete);
  boost::system::error_code ec;
  boost::json::parse(got.body, ec);
  BOOST_TEST(ec.failed());
}

BOOST_AUTO_TEST_CASE(slow_body_trickles_the_genuine_answer) {
  Fixture fixture("faults: [{kind: slow_body, chunk_bytes: 10, interval: 1s}]\n");
  const HttpResponse got = fixture.query(unknown_sha);
  BOOST_TEST(got.complete);
  BOOST_TEST(got.code == 1004);
  const auto chunks = static_cast<std::int64_t>((got.body.size() + 9) / 10);
  BOOST_TEST(got.finished_at - got.first_byte_at >= SimTime(std::chrono::seconds(chunks)));
  BOOST_TEST(got.finished_at - got.first_byte_at < SimTime(std::chrono::seconds(chunks + 1)));
}

BOOST_AUTO_TEST_CASE(a_probability_fires_on_some_requests_only) {
  Fixture fixture("faults: [{kind: http_503, probability: 0.5}]\n");
  int failed = 0;
  for (int i = 0; i < 40; ++i) {
    failed += fixture.query(unknown_sha).http_status == 503 ? 1 : 0;
  }
  BOOST_TEST(failed > 5);
  BOOST_TEST(failed < 35);
  BOOST_TEST(fixture.emulator->counters().faults_injected == static_cast<std::uint64_t>(failed));
}

BOOST_AUTO_TEST_CASE(an_outage_window_applies_only_inside_it) {
  Fixture fixture("faults: [{kind: http_503, from: 1m, until: 2m}]\n");
  fixture.run_to(30s);
  BOOST_TEST(fixture.query(unknown_sha).code == 1004);
  fixture.run_to(90s);
  BOOST_TEST(fixture.query(unknown_sha).http_status == 503);
  fixture.run_to(150s);
  BOOST_TEST(fixture.query(unknown_sha).code == 1004);
}

BOOST_AUTO_TEST_CASE(refuse_stops_listening_during_its_window) {
  Fixture fixture("faults: [{kind: refuse, from: 1m, until: 2m}]\n");
  fixture.run_to(30s);
  BOOST_TEST(fixture.query(unknown_sha).code == 1004);
  fixture.run_to(90s);
  const HttpResponse refused = fixture.query(unknown_sha);
  BOOST_TEST(!refused.connected);
  fixture.run_to(150s);
  BOOST_TEST(fixture.query(unknown_sha).code == 1004);
  BOOST_TEST(fixture.emulator->counters().faults_by_kind.at("refuse") == 1U);
  BOOST_TEST(fixture.events("emulator.listening").size() == 2U);
}

BOOST_AUTO_TEST_CASE(refuse_from_the_start_until_forever) {
  Fixture fixture("faults: [{kind: refuse, from: 0s}]\n");
  fixture.run_to(1s);
  BOOST_TEST(!fixture.query(unknown_sha).connected);
}

BOOST_AUTO_TEST_CASE(a_rule_fault_concerns_only_that_rules_files) {
  Fixture fixture("rules:\n"
                  "  - match: {file_name: ['*.bad']}\n"
                  "    verdict: malicious\n"
                  "    fault: reset\n");
  const HttpResponse bad_upload = fixture.upload("x.bad", "payload");
  BOOST_TEST(!bad_upload.complete);
  BOOST_TEST(!fixture.query(emulator_mock::sha256_hex("payload")).complete);
  const HttpResponse good = fixture.upload("x.good", "other");
  BOOST_TEST(good.complete);
  BOOST_TEST(good.code == 1002);
  // The file was recorded: the fault hides the answers, not the emulation.
  BOOST_TEST(fixture.emulator->counters().verdicts_malicious == 1U);
  BOOST_TEST(fixture.emulator->counters().faults_by_kind.at("reset") == 2U);
}

BOOST_AUTO_TEST_CASE(the_first_service_fault_that_fires_wins) {
  Fixture fixture("faults:\n"
                  "  - {kind: http_500, from: 1m}\n"
                  "  - {kind: http_503}\n");
  BOOST_TEST(fixture.query(unknown_sha).http_status == 503);
  fixture.run_to(2min);
  BOOST_TEST(fixture.query(unknown_sha).http_status == 500);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace emulator_test
