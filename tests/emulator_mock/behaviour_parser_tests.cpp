// Reading behaviours: the defaults, every key, and errors that name the line and the key.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "emulator_mock/behaviour_parser.hpp"

namespace {

using namespace std::chrono_literals;
using emulator_mock::parse_behaviour;

BOOST_AUTO_TEST_SUITE(behaviour_parser)

BOOST_AUTO_TEST_CASE(an_empty_document_gives_the_defaults) {
  const auto parsed = parse_behaviour("", "b.yaml");
  BOOST_REQUIRE(parsed);
  const auto& behaviour = *parsed.behaviour;
  BOOST_TEST(behaviour.rules.size() == 1U);
  BOOST_TEST(behaviour.rules[0].match.eicar);
  BOOST_TEST(emulator_mock::verdict_name(*behaviour.rules[0].verdict) == "malicious");
  BOOST_TEST(emulator_mock::verdict_name(behaviour.default_verdict) == "benign");
  BOOST_TEST(behaviour.default_delay.value.count() == 0);
  BOOST_TEST(behaviour.capacity == 0U);
  BOOST_TEST(behaviour.max_files == 100000U);
  BOOST_TEST(behaviour.max_file_bytes == 32U * 1024 * 1024);
  BOOST_TEST(behaviour.faults.empty());
  BOOST_TEST((behaviour == emulator_mock::Behaviour{}));
}

BOOST_AUTO_TEST_CASE(every_key_is_read) {
  const auto parsed = parse_behaviour(
      "default: {verdict: unknown, delay: {model: lognormal, median: 30s, sigma: 0.25}}\n"
      "capacity: 3\n"
      "max_files: 10\n"
      "max_file_size: 64KiB\n"
      "rules:\n"
      "  - name: hashes\n"
      "    match: {sha256: [" + std::string(64, 'A') + "], file_name: ['*.exe']}\n"
      "    verdict: malicious\n"
      "    delay: {model: uniform, min: 1s, max: 2s}\n"
      "    fault: {kind: slow_body, chunk_bytes: 4, interval: 250ms, probability: 0.5}\n"
      "  - match: {eicar: true}\n"
      "    status: 1007\n"
      "    delay: {model: exponential, mean: 2m}\n"
      "faults:\n"
      "  - {kind: status, code: 1011, requests: [upload], from: 1m, until: 2h}\n"
      "  - {kind: hang, hang_for: 5d}\n"
      "  - {kind: refuse, from: 0s}\n",
      "b.yaml");
  BOOST_REQUIRE_MESSAGE(parsed, parsed.error_text());
  const auto& b = *parsed.behaviour;
  BOOST_TEST(b.default_delay.median.count() == 30'000);
  BOOST_TEST(b.default_delay.sigma == 0.25);
  BOOST_TEST(b.capacity == 3U);
  BOOST_TEST(b.max_files == 10U);
  BOOST_TEST(b.max_file_bytes == 65536U);
  BOOST_REQUIRE(b.rules.size() == 2U);
  BOOST_TEST(b.rules[0].name == "hashes");
  BOOST_TEST(b.rules[0].match.sha256.at(0) == std::string(64, 'a'));
  BOOST_TEST(b.rules[0].delay->max.count() == 2000);
  BOOST_TEST(b.rules[0].fault->chunk_bytes == 4U);
  BOOST_TEST(b.rules[0].fault->interval.count() == 250);
  BOOST_TEST(b.rules[1].name == "rules[1]");
  BOOST_TEST(static_cast<int>(*b.rules[1].status) == 1007);
  BOOST_TEST(b.rules[1].delay->mean.count() == 120'000);
  BOOST_REQUIRE(b.faults.size() == 3U);
  BOOST_TEST(!b.faults[0].on_query);
  BOOST_TEST(b.faults[0].on_upload);
  BOOST_TEST(b.faults[0].until->count() == 7'200'000);
  BOOST_TEST(b.faults[1].hang_for.count() == 5LL * 86'400'000);
  BOOST_TEST(!b.faults[2].until.has_value());
}

BOOST_AUTO_TEST_CASE(a_delay_may_be_a_bare_duration) {
  const auto parsed = parse_behaviour("default: {delay: 250ms}\n", "b.yaml");
  BOOST_REQUIRE(parsed);
  BOOST_TEST(parsed.behaviour->default_delay.value.count() == 250);
}

// Each error names the file, the line and the key.
struct ErrorCase {
  std::string name;
  std::string yaml;
  std::string error;
};

BOOST_AUTO_TEST_CASE(errors_name_the_file_line_and_key) {
  const std::vector<ErrorCase> cases = {
      {"unknown top-level key", "capacity: 1\ncapacty: 2\n", "b.yaml:2: capacty: unknown key"},
      {"bad duration", "default:\n  delay: 10 minutes\n",
       "b.yaml:2: default.delay: expected a duration such as 250ms, 30s, 10m, 2h or 5d, "
       "got \"10 minutes\""},
      {"bad verdict", "default: {verdict: evil}\n",
       "b.yaml:1: default.verdict: expected benign, malicious or unknown, got \"evil\""},
      {"negative capacity", "capacity: -1\n",
       "b.yaml:1: capacity: expected a whole number of at least 0, got \"-1\""},
      {"unknown delay model", "default:\n  delay:\n    model: gamma\n",
       "b.yaml:3: default.delay.model: expected fixed, uniform, exponential or lognormal, "
       "got \"gamma\""},
      {"missing delay parameter", "default:\n  delay: {model: uniform, min: 1s}\n",
       "b.yaml:2: default.delay.max: required key is missing"},
      {"a parameter of another model", "default:\n  delay: {model: fixed, value: 1s, mean: 2s}\n",
       "b.yaml:2: default.delay.mean: unknown key"},
      {"uniform backwards", "default:\n  delay: {model: uniform, min: 2s, max: 1s}\n",
       "b.yaml:2: default.delay: max must not be less than min"},
      {"rule without a match", "rules:\n  - verdict: benign\n",
       "b.yaml:2: rules[0].match: required key is missing"},
      {"rule with verdict and status",
       "rules:\n  - match: {}\n    verdict: benign\n    status: 1005\n",
       "b.yaml:4: rules[0].status: a rule gives a verdict or a status, not both"},
      {"status out of range", "rules:\n  - match: {}\n    status: 1012\n",
       "b.yaml:3: rules[0].status: expected a status code from 1001 to 1011, got \"1012\""},
      {"short hash", "rules:\n  - match:\n      sha256: [abc]\n    verdict: benign\n",
       "b.yaml:3: rules[0].match.sha256[0]: expected 64 hex digits, got \"abc\""},
      {"unknown match key", "rules:\n  - match: {name: x}\n    verdict: benign\n",
       "b.yaml:2: rules[0].match.name: unknown key"},
      {"unknown fault kind", "faults:\n  - kind: explode\n",
       "b.yaml:2: faults[0].kind: expected http_500, http_503, status, refuse, hang, reset, "
       "malformed_json or slow_body, got \"explode\""},
      {"status fault without code", "faults:\n  - kind: status\n",
       "b.yaml:2: faults[0].code: required key is missing"},
      {"probability above one", "faults:\n  - {kind: reset, probability: 1.5}\n",
       "b.yaml:2: faults[0].probability: expected a number from 0.0 to 1.0, got \"1.5\""},
      {"window backwards", "faults:\n  - kind: reset\n    from: 2m\n    until: 1m\n",
       "b.yaml:4: faults[0].until: must be later than from"},
      {"refuse without a window", "faults:\n  - kind: refuse\n",
       "b.yaml:2: faults[0].kind: refuse needs a window: from (and usually until)"},
      {"refuse in a rule",
       "rules:\n  - match: {}\n    verdict: benign\n    fault: {kind: refuse}\n",
       "b.yaml:4: rules[0].fault.kind: refuse stops the whole service, so it belongs under "
       "faults, not a rule"},
      {"a window in a rule", "rules:\n  - match: {}\n    verdict: benign\n"
                             "    fault: {kind: reset, from: 1m}\n",
       "b.yaml:4: rules[0].fault.from: unknown key"},
      {"bad size", "max_file_size: 10MB\n",
       "b.yaml:1: max_file_size: expected a size such as 4096, 64KiB or 32MiB, got \"10MB\""},
      {"not a mapping", "- a\n- b\n", "b.yaml:1: expected a mapping, got a list"},
      {"bad YAML", "capacity: [1\n", "b.yaml:2: not valid YAML: end of sequence flow not found"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const auto parsed = parse_behaviour(c.yaml, "b.yaml");
      BOOST_TEST(!parsed);
      BOOST_REQUIRE(!parsed.errors.empty());
      BOOST_TEST(parsed.errors[0].to_string() == c.error);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_error_is_reported_in_one_pass) {
  const auto parsed = parse_behaviour("capacity: x\nbogus: 1\ndefault: {verdict: no}\n", "b.yaml");
  BOOST_REQUIRE(parsed.errors.size() == 3U);
  BOOST_TEST(parsed.errors[0].line == 1);
  BOOST_TEST(parsed.errors[1].line == 2);
  BOOST_TEST(parsed.errors[2].key_path == "default.verdict");
}

BOOST_AUTO_TEST_CASE(durations_and_sizes) {
  BOOST_TEST(emulator_mock::parse_duration("250ms")->count() == 250);
  BOOST_TEST(emulator_mock::parse_duration("30s")->count() == 30'000);
  BOOST_TEST(emulator_mock::parse_duration("10m")->count() == 600'000);
  BOOST_TEST(emulator_mock::parse_duration("2h")->count() == 7'200'000);
  BOOST_TEST(emulator_mock::parse_duration("5d")->count() == 432'000'000);
  BOOST_TEST(emulator_mock::parse_duration("0s")->count() == 0);
  for (const char* bad : {"", "s", "10", "1.5s", "-1s", " 1s", "1 s", "1w", "99999999999999d"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!emulator_mock::parse_duration(bad)); }
  }
  BOOST_TEST(*emulator_mock::parse_size_bytes("4096") == 4096U);
  BOOST_TEST(*emulator_mock::parse_size_bytes("2MiB") == 2U * 1024 * 1024);
  BOOST_TEST(!emulator_mock::parse_size_bytes("2MB"));
  BOOST_TEST(!emulator_mock::parse_size_bytes("99999999999GiB"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
