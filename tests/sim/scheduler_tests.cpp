// The virtual clock: ordering, ties, cancellation, and time that jumps.
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "sim/scheduler.hpp"

namespace {

using namespace std::chrono_literals;
using sim::Scheduler;
using sim::SimTime;

BOOST_AUTO_TEST_SUITE(scheduler)

BOOST_AUTO_TEST_CASE(events_run_in_time_order_whatever_the_order_of_scheduling) {
  Scheduler scheduler;
  std::string order;
  scheduler.at(30ms, [&] { order += 'c'; });
  scheduler.at(10ms, [&] { order += 'a'; });
  scheduler.at(20ms, [&] { order += 'b'; });

  while (scheduler.run_next()) {
  }
  BOOST_TEST(order == "abc");
  BOOST_TEST(scheduler.now() == SimTime(30ms));
}

BOOST_AUTO_TEST_CASE(ties_run_in_the_order_they_were_scheduled) {
  Scheduler scheduler;
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) {
    scheduler.at(5s, [&order, i] { order.push_back(i); });
  }
  while (scheduler.run_next()) {
  }
  BOOST_REQUIRE_EQUAL(order.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    BOOST_TEST(order[static_cast<std::size_t>(i)] == i);
  }
}

BOOST_AUTO_TEST_CASE(a_cancelled_event_never_runs_and_cancelling_twice_is_refused) {
  Scheduler scheduler;
  bool ran = false;
  auto id = scheduler.at(1s, [&] { ran = true; });

  BOOST_TEST(scheduler.cancel(id));
  BOOST_TEST(!scheduler.cancel(id));
  BOOST_TEST(!scheduler.run_next());
  BOOST_TEST(!ran);
  BOOST_TEST(scheduler.now() == SimTime(0));
}

BOOST_AUTO_TEST_CASE(an_event_may_schedule_another_at_the_same_instant) {
  Scheduler scheduler;
  std::string order;
  scheduler.at(1s, [&] {
    order += 'a';
    scheduler.after(0s, [&] { order += 'c'; });
  });
  scheduler.at(1s, [&] { order += 'b'; });

  while (scheduler.run_next()) {
  }
  BOOST_TEST(order == "abc");
  BOOST_TEST(scheduler.now() == SimTime(1s));
}

BOOST_AUTO_TEST_CASE(an_event_in_the_past_runs_now_not_earlier) {
  Scheduler scheduler;
  scheduler.at(10s, [] {});
  scheduler.run_next();

  SimTime ran_at{-1};
  scheduler.at(1s, [&] { ran_at = scheduler.now(); });
  scheduler.run_next();
  BOOST_TEST(ran_at == SimTime(10s));
}

BOOST_AUTO_TEST_CASE(run_next_respects_its_limit) {
  Scheduler scheduler;
  scheduler.at(2h, [] {});

  BOOST_TEST(!scheduler.run_next(SimTime(1h)));
  BOOST_TEST(scheduler.now() == SimTime(0));
  BOOST_TEST(scheduler.next_time().value() == SimTime(2h));
  BOOST_TEST(scheduler.run_next(SimTime(2h)));
}

BOOST_AUTO_TEST_CASE(ten_virtual_minutes_cost_one_event) {
  Scheduler scheduler;
  scheduler.after(10min, [] {});
  BOOST_TEST(scheduler.run_next());
  BOOST_TEST(scheduler.now() == SimTime(10min));
  BOOST_TEST(scheduler.executed() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
