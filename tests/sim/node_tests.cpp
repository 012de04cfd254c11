// Nodes: timers in virtual time, cancellation, crash and restart, per-node randomness.
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "runtime/host.hpp"
#include "sim/world.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using sim::SimTime;

// Sleeps in virtual time and records when it woke, through the seam only.
asio::awaitable<void> sleep_then_note(runtime::Host& host, runtime::Duration delay,
                                      SimTime& woke_at, sim::World& world) {
  runtime::Timer timer(host);
  timer.expires_after(delay);
  co_await timer.async_wait(asio::use_awaitable);
  woke_at = world.now();
}

BOOST_AUTO_TEST_SUITE(node)

BOOST_AUTO_TEST_CASE(a_ten_minute_timer_fires_at_exactly_ten_virtual_minutes) {
  sim::World world;
  auto& node = world.add_node("n", "10.0.0.1");
  SimTime woke_at{-1};
  node.boot([&](runtime::Host& host) {
    asio::co_spawn(host.executor(), sleep_then_note(host, 10min, woke_at, world), asio::detached);
    return std::shared_ptr<void>();
  });

  BOOST_TEST(world.run_until_idle());
  BOOST_TEST(woke_at == SimTime(10min));
}

BOOST_AUTO_TEST_CASE(the_earlier_of_two_racing_timers_wins_and_cancels_the_other) {
  sim::World world;
  auto& node = world.add_node("n", "10.0.0.1");
  int winner = -1;
  auto race = [&](runtime::Host& host) -> asio::awaitable<void> {
    runtime::Timer fast(host);
    runtime::Timer slow(host);
    fast.expires_after(3s);
    slow.expires_after(1h);
    auto result = co_await (fast.async_wait(asio::use_awaitable) ||
                            slow.async_wait(asio::use_awaitable));
    winner = static_cast<int>(result.index());
  };
  node.boot([&](runtime::Host& host) {
    asio::co_spawn(host.executor(), race(host), asio::detached);
    return std::shared_ptr<void>();
  });

  BOOST_TEST(world.run_until_idle());
  BOOST_TEST(winner == 0);
  // The loser was cancelled: nothing is left scheduled at one hour.
  BOOST_TEST(world.now() == SimTime(3s));
}

BOOST_AUTO_TEST_CASE(cancel_completes_a_pending_wait_with_operation_aborted) {
  sim::World world;
  auto& node = world.add_node("n", "10.0.0.1");
  runtime::error_code seen;
  std::unique_ptr<runtime::Timer> timer;
  node.boot([&](runtime::Host& host) {
    timer = std::make_unique<runtime::Timer>(host);
    timer->expires_after(1min);
    timer->async_wait([&](runtime::error_code ec) { seen = ec; });
    return std::shared_ptr<void>();
  });
  world.run_for(1s);
  timer->cancel();
  world.run_until_idle();

  BOOST_TEST(seen == asio::error::operation_aborted);
  BOOST_TEST(world.now() == SimTime(1s));
}

// Counts its own destruction, to prove a crash destroys what the node held.
struct Tracked {
  explicit Tracked(int& destroyed) : destroyed_(destroyed) {}
  ~Tracked() { ++destroyed_; }
  int& destroyed_;
};

BOOST_AUTO_TEST_CASE(a_crash_destroys_suspended_coroutines_and_the_process_without_resuming) {
  sim::World world;
  auto& node = world.add_node("n", "10.0.0.1");
  int boots = 0;
  int frames_destroyed = 0;
  int processes_destroyed = 0;
  bool resumed = false;

  auto waiter = [&](runtime::Host& host) -> asio::awaitable<void> {
    Tracked frame(frames_destroyed);
    runtime::Timer timer(host);
    timer.expires_after(10min);
    co_await timer.async_wait(asio::use_awaitable);
    resumed = true;
  };
  node.boot([&](runtime::Host& host) {
    ++boots;
    asio::co_spawn(host.executor(), waiter(host), asio::detached);
    return std::make_shared<Tracked>(processes_destroyed);
  });

  world.at(SimTime(1min), [&] { node.crash(); });
  world.run_until(SimTime(2min));
  BOOST_TEST(!node.up());
  BOOST_TEST(frames_destroyed == 1);
  BOOST_TEST(processes_destroyed == 1);
  BOOST_TEST(node.generation() == 1u);

  // The dead timer must not fire at ten minutes; a restart boots a fresh process.
  node.restart();
  world.run_until(SimTime(10min) + 1s);
  BOOST_TEST(boots == 2);
  BOOST_TEST(resumed == false);  // the restarted waiter sleeps until 12 minutes
  world.run_until_idle();
  BOOST_TEST(resumed == true);
  BOOST_TEST(world.now() == SimTime(12min));
}

BOOST_AUTO_TEST_CASE(randomness_is_per_component_per_seed_and_new_after_a_restart) {
  sim::World world({.seed = 7});
  auto& node = world.add_node("n", "10.0.0.1");
  node.boot([](runtime::Host&) { return std::shared_ptr<void>(); });

  auto first = node.random("queue-id").next();
  BOOST_TEST(first == node.random("queue-id").next());
  BOOST_TEST(first != node.random("boundary").next());

  sim::World other({.seed = 8});
  auto& twin = other.add_node("n", "10.0.0.1");
  BOOST_TEST(first != twin.random("queue-id").next());

  node.crash();
  node.restart();
  BOOST_TEST(first != node.random("queue-id").next());
}

BOOST_AUTO_TEST_CASE(a_wall_offset_shifts_only_that_nodes_wall_clock) {
  sim::World world;
  auto& skewed = world.add_node("skewed", "10.0.0.1");
  auto& plain = world.add_node("plain", "10.0.0.2");
  skewed.set_wall_offset(std::chrono::hours(24 * 400));

  BOOST_TEST((skewed.clock().wall_now() - plain.clock().wall_now() ==
              std::chrono::hours(24 * 400)));
  BOOST_TEST((skewed.clock().now() == plain.clock().now()));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
