// The verdict cache's two bounds: an entry's lifetime and the number of entries.
#include <chrono>
#include <string>

#include <boost/test/unit_test.hpp>

#include "gateway/emulation/verdict_cache.hpp"

namespace {

using namespace std::chrono_literals;
using gateway::emulation::Verdict;
using gateway::emulation::VerdictCache;

const runtime::SteadyTime start{};

BOOST_AUTO_TEST_SUITE(emulation_verdict_cache)

BOOST_AUTO_TEST_CASE(a_verdict_is_remembered_for_its_lifetime_and_no_longer) {
  VerdictCache cache(10, 24h);
  cache.remember("aa", Verdict::benign, start);
  BOOST_TEST((cache.find("aa", start + 23h) == Verdict::benign));
  BOOST_TEST(!cache.find("aa", start + 24h).has_value());
  BOOST_TEST(cache.size() == 0u);
  BOOST_TEST(!cache.find("bb", start).has_value());
}

BOOST_AUTO_TEST_CASE(beyond_its_capacity_the_oldest_entry_goes_first) {
  VerdictCache cache(2, 24h);
  cache.remember("aa", Verdict::benign, start);
  cache.remember("bb", Verdict::malicious, start + 1s);
  cache.remember("cc", Verdict::benign, start + 2s);
  BOOST_TEST(cache.size() == 2u);
  BOOST_TEST(!cache.find("aa", start + 3s).has_value());
  BOOST_TEST((cache.find("bb", start + 3s) == Verdict::malicious));
  BOOST_TEST((cache.find("cc", start + 3s) == Verdict::benign));
}

BOOST_AUTO_TEST_CASE(a_newer_verdict_replaces_the_older_and_lives_from_its_own_time) {
  VerdictCache cache(2, 24h);
  cache.remember("aa", Verdict::benign, start);
  cache.remember("bb", Verdict::benign, start + 1h);
  cache.remember("aa", Verdict::malicious, start + 2h);
  BOOST_TEST(cache.size() == 2u);
  // The first "aa" would have expired at 24h; the second lives until 26h.
  BOOST_TEST((cache.find("aa", start + 25h) == Verdict::malicious));
  BOOST_TEST(!cache.find("bb", start + 25h).has_value());
  BOOST_TEST(!cache.find("aa", start + 26h).has_value());
  // Still bounded: a third file evicts the oldest live one, not the replaced "aa".
  cache.remember("aa", Verdict::benign, start + 30h);
  cache.remember("bb", Verdict::benign, start + 31h);
  cache.remember("cc", Verdict::benign, start + 32h);
  BOOST_TEST(cache.size() == 2u);
  BOOST_TEST(!cache.find("aa", start + 32h).has_value());
  BOOST_TEST(cache.find("bb", start + 32h).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
