// Emulation delays in virtual time, and the capacity that makes emulations wait.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "emulator_fixture.hpp"

namespace emulator_test {
namespace {

BOOST_AUTO_TEST_SUITE(delays)

BOOST_AUTO_TEST_CASE(a_fixed_delay_is_pending_before_and_found_after) {
  Fixture fixture("default: {delay: 30s}\n");
  const std::string sha = emulator_mock::sha256_hex("slow file");
  BOOST_TEST(fixture.upload("slow.txt", "slow file").code == 1002);
  fixture.run_to(29s);
  BOOST_TEST(fixture.query(sha).code == 1003);
  fixture.run_to(31s);
  const HttpResponse found = fixture.query(sha);
  BOOST_TEST(found.code == 1001);
  BOOST_TEST(found.verdict == "benign");
}

// Each model: the delays the emulator used are exactly the draws of the node's "emulator"
// generator, and each verdict came exactly that long after its upload.
struct ModelCase {
  std::string name;
  std::string delay_yaml;
  std::int64_t low_ms;
  std::int64_t high_ms;
};

BOOST_AUTO_TEST_CASE(every_delay_model_draws_from_the_seeded_generator) {
  const std::vector<ModelCase> cases = {
      {"fixed", "{model: fixed, value: 1500ms}", 1500, 1500},
      {"uniform", "{model: uniform, min: 10s, max: 50s}", 10'000, 50'000},
      {"exponential", "{model: exponential, mean: 20s}", 0, 24LL * 30 * 3'600'000},
      {"lognormal", "{model: lognormal, median: 30s, sigma: 0.5}", 0, 24LL * 30 * 3'600'000},
  };
  constexpr int files = 6;
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Fixture fixture("default: {delay: " + c.delay_yaml + "}\n");
      for (int i = 0; i < files; ++i) {
        BOOST_TEST(fixture.upload("f.txt", "file " + std::to_string(i)).code == 1002);
      }
      fixture.world.run_until_idle();

      auto expected_random = fixture.emulator_node.random("emulator");
      const auto& model = fixture.emulator->behaviour().default_delay;
      const auto uploads = fixture.events("emulator.upload");
      const auto verdicts = fixture.events("emulator.verdict");
      BOOST_REQUIRE(uploads.size() == static_cast<std::size_t>(files));
      BOOST_REQUIRE(verdicts.size() == static_cast<std::size_t>(files));
      std::set<std::int64_t> distinct;
      for (int i = 0; i < files; ++i) {
        const auto delay_ms = uploads[static_cast<std::size_t>(i)].fields.at("delay_ms").as_int64();
        BOOST_TEST(delay_ms == model.draw(expected_random).count());
        BOOST_TEST(delay_ms >= c.low_ms);
        BOOST_TEST(delay_ms <= c.high_ms);
        distinct.insert(delay_ms);
        // Verdicts come in order of their times; find this file's.
        const auto sha = uploads[static_cast<std::size_t>(i)].fields.at("sha256");
        const auto verdict = std::find_if(verdicts.begin(), verdicts.end(), [&](const auto& v) {
          return v.fields.at("sha256") == sha;
        });
        BOOST_REQUIRE(verdict != verdicts.end());
        BOOST_TEST(verdict->t_us - uploads[static_cast<std::size_t>(i)].t_us == delay_ms * 1000);
      }
      // Random models vary; the fixed one does not.
      BOOST_TEST((distinct.size() == 1U) == (c.name == "fixed"));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_rule_delay_overrides_the_default) {
  Fixture fixture("rules: [{match: {file_name: ['*.slow']}, verdict: benign, delay: 1h}]\n"
                  "default: {delay: 1m}\n");
  fixture.upload("a.slow", "one");
  fixture.upload("b.fast", "two");
  fixture.run_to(2min);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("one")).code == 1003);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("two")).code == 1001);
  fixture.run_to(61min);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("one")).code == 1001);
}

BOOST_AUTO_TEST_CASE(capacity_makes_the_rest_wait_for_a_slot) {
  Fixture fixture("capacity: 2\ndefault: {delay: 10s}\n");
  for (int i = 0; i < 5; ++i) {
    BOOST_TEST(fixture.upload("f.txt", "file " + std::to_string(i)).code == 1002);
  }
  fixture.run_to(5s);
  auto counters = fixture.emulator->counters();
  BOOST_TEST(counters.emulations_running == 2U);
  BOOST_TEST(counters.emulations_waiting == 3U);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("file 2")).code == 1003);

  // The third and fourth start when the first two finish, the fifth after the third.
  fixture.run_to(25s);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("file 3")).code == 1001);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("file 4")).code == 1003);
  fixture.world.run_until_idle();
  const auto verdicts = fixture.events("emulator.verdict");
  BOOST_REQUIRE(verdicts.size() == 5U);
  BOOST_TEST(verdicts[2].t_us == verdicts[0].t_us + 10'000'000);
  BOOST_TEST(verdicts[3].t_us == verdicts[1].t_us + 10'000'000);
  BOOST_TEST(verdicts[4].t_us == verdicts[2].t_us + 10'000'000);
  counters = fixture.emulator->counters();
  BOOST_TEST(counters.emulations_running == 0U);
  BOOST_TEST(counters.emulations_waiting == 0U);
  BOOST_TEST(counters.verdicts_benign == 5U);
}

BOOST_AUTO_TEST_CASE(without_capacity_every_emulation_runs_at_once) {
  Fixture fixture("default: {delay: 10s}\n");
  for (int i = 0; i < 20; ++i) {
    fixture.upload("f.txt", "file " + std::to_string(i));
  }
  BOOST_TEST(fixture.emulator->counters().emulations_running == 20U);
  fixture.run_to(11s);
  BOOST_TEST(fixture.emulator->counters().verdicts_benign == 20U);
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_trace) {
  const std::string yaml = "default: {delay: {model: exponential, mean: 30s}}\n"
                           "faults: [{kind: http_503, probability: 0.3}]\n";
  auto run = [&](std::uint64_t seed) {
    Fixture fixture(yaml, false, seed);
    for (int i = 0; i < 10; ++i) {
      fixture.upload("f.txt", "file " + std::to_string(i));
    }
    fixture.world.run_until_idle();
    return fixture.world.trace().digest();
  };
  BOOST_TEST(run(7) == run(7));
  BOOST_TEST(run(7) != run(8));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace emulator_test
