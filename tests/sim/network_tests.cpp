// The simulated network's model (sim/network.hpp), rule by rule, with exact virtual times.
// Unless a test says otherwise, the link is the default one: 100us each way, no jitter,
// unlimited bandwidth, so a round trip costs 200us.
#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "runtime/host.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using runtime::ByteStream;
using runtime::Endpoint;
using runtime::error_code;
using sim::SimTime;

std::int64_t us(SimTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t).count();
}

Endpoint endpoint(std::string_view text) {
  auto parsed = Endpoint::parse(text);
  BOOST_REQUIRE(parsed);
  return *parsed;
}

std::shared_ptr<void> idle(runtime::Host&) {
  return nullptr;
}

// Runs `body` as a coroutine on `node`; an exception it throws fails the test.
template <typename Body>
void spawn(sim::Node& node, Body body) {
  asio::co_spawn(node.executor(), std::move(body), [](std::exception_ptr error) {
    if (error) {
      std::rethrow_exception(error);
    }
  });
}

// What an asynchronous operation finished with, and when.
struct Outcome {
  bool done = false;
  error_code ec;
  SimTime at{-1};
  std::string bytes;  // what a read received, or what a write sent
  ByteStream stream;  // what a connect or an accept gave
};
using OutcomePtr = std::shared_ptr<Outcome>;

void finish(Outcome& out, const sim::Node& node, error_code ec) {
  out.done = true;
  out.ec = ec;
  out.at = node.world().now();
}

runtime::Listener listen(sim::Node& node, std::string_view address) {
  auto listener = node.network().listen(endpoint(address));
  BOOST_REQUIRE(listener);
  return std::move(*listener);
}

OutcomePtr connect(sim::Node& node, std::string_view address) {
  auto out = std::make_shared<Outcome>();
  runtime::async_connect(node.network(), endpoint(address),
                         [out, &node](error_code ec, ByteStream stream) {
                           finish(*out, node, ec);
                           out->stream = std::move(stream);
                         });
  return out;
}

OutcomePtr accept(sim::Node& node, runtime::Listener& listener) {
  auto out = std::make_shared<Outcome>();
  listener.async_accept([out, &node](error_code ec, ByteStream stream) {
    finish(*out, node, ec);
    out->stream = std::move(stream);
  });
  return out;
}

OutcomePtr read(sim::Node& node, ByteStream& stream, std::size_t max_bytes = 4096) {
  auto out = std::make_shared<Outcome>();
  out->bytes.resize(max_bytes);
  stream.async_read_some(asio::buffer(out->bytes), [out, &node](error_code ec, std::size_t n) {
    finish(*out, node, ec);
    out->bytes.resize(n);
  });
  return out;
}

OutcomePtr write(sim::Node& node, ByteStream& stream, std::string bytes) {
  auto out = std::make_shared<Outcome>();
  out->bytes = std::move(bytes);
  stream.async_write_some(asio::buffer(out->bytes), [out, &node](error_code ec, std::size_t n) {
    finish(*out, node, ec);
    out->bytes.resize(n);
  });
  return out;
}

// Two booted nodes, a (10.0.0.1) and b (10.0.0.2); establish() connects a to b:25.
struct Sim {
  explicit Sim(std::uint64_t seed = 1) : world(sim::WorldOptions{.seed = seed}) {
    world.trace().keep_lines(true);
    a.boot(idle);
    b.boot(idle);
  }

  sim::Network& net() { return world.network(); }

  // Listens on b:25, connects from a, and runs until both streams exist.
  void establish() {
    listener = listen(b, "10.0.0.2:25");
    auto accepted = accept(b, listener);
    auto connected = connect(a, "10.0.0.2:25");
    world.run_until([&] { return accepted->done && connected->done; });
    BOOST_REQUIRE(!accepted->ec);
    BOOST_REQUIRE(!connected->ec);
    server = std::move(accepted->stream);
    client = std::move(connected->stream);
  }

  // The trace lines of network events, without their trailing newlines.
  std::vector<std::string> network_trace() {
    std::vector<std::string> lines;
    const std::string& text = world.trace().text();
    for (std::size_t start = 0; start < text.size();) {
      const std::size_t end = text.find('\n', start);
      std::string line = text.substr(start, end - start);
      if (line.find("\"event\": \"net.") != std::string::npos) {
        lines.push_back(std::move(line));
      }
      start = end + 1;
    }
    return lines;
  }

  sim::World world;
  sim::Node& a = world.add_node("a", "10.0.0.1");
  sim::Node& b = world.add_node("b", "10.0.0.2");
  runtime::Listener listener;
  ByteStream client;
  ByteStream server;
};

BOOST_AUTO_TEST_SUITE(network)

BOOST_AUTO_TEST_CASE(connect_takes_one_round_trip_and_accept_one_trip) {
  struct Row {
    SimTime latency;
    std::int64_t accepted_us;
    std::int64_t connected_us;
  };
  for (const Row& row : {Row{100us, 100, 200}, Row{5ms, 5000, 10000}, Row{0us, 0, 0}}) {
    BOOST_TEST_CONTEXT("latency " << us(row.latency) << "us") {
      Sim sim;
      sim.net().set_link("a", "b", {.latency = row.latency});
      sim.listener = listen(sim.b, "10.0.0.2:25");
      auto accepted = accept(sim.b, sim.listener);
      auto connected = connect(sim.a, "10.0.0.2:25");
      sim.world.run_until_idle();

      BOOST_TEST(!connected->ec);
      BOOST_TEST(us(accepted->at) == row.accepted_us);
      BOOST_TEST(us(connected->at) == row.connected_us);
      BOOST_TEST(connected->stream.local_endpoint().to_string() == "10.0.0.1:49152");
      BOOST_TEST(connected->stream.remote_endpoint().to_string() == "10.0.0.2:25");
      BOOST_TEST(accepted->stream.local_endpoint().to_string() == "10.0.0.2:25");
      BOOST_TEST(accepted->stream.remote_endpoint().to_string() == "10.0.0.1:49152");
      BOOST_TEST(sim.net().connections_opened() == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_write_completes_when_transmitted_and_arrives_a_latency_later) {
  struct Row {
    SimTime latency;
    std::uint64_t bytes_per_second;
    std::size_t size;
    std::int64_t written_us;  // after the write started
    std::int64_t arrived_us;
  };
  const Row rows[] = {
      {100us, 0, 1000, 0, 100},              // unlimited: transmitted at once
      {100us, 1'000'000, 1000, 1000, 1100},  // one byte per microsecond
      {5ms, 10'000, 500, 50'000, 55'000},    // 500 bytes at 10 kB/s take 50ms
      {100us, 3, 1, 333'333, 333'433},       // a third of a second, rounded up to the ns
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT("rate " << row.bytes_per_second << " size " << row.size) {
      Sim sim;
      sim.net().set_link("a", "b",
                         {.latency = row.latency, .bytes_per_second = row.bytes_per_second});
      sim.establish();
      const SimTime start = sim.world.now();

      auto written = write(sim.a, sim.client, std::string(row.size, 'x'));
      auto arrived = read(sim.b, sim.server, 2 * row.size);
      sim.world.run_until_idle();

      BOOST_TEST(!written->ec);
      BOOST_TEST(written->bytes.size() == row.size);
      BOOST_TEST(us(written->at - start) == row.written_us);
      BOOST_TEST(us(arrived->at - start) == row.arrived_us);
      BOOST_TEST(arrived->bytes == std::string(row.size, 'x'));
    }
  }
}

BOOST_AUTO_TEST_CASE(back_to_back_writes_queue_behind_each_other) {
  Sim sim;
  sim.net().set_link("a", "b", {.latency = 100us, .bytes_per_second = 1'000'000});
  sim.establish();
  const SimTime start = sim.world.now();

  // Two writes of 1000 bytes, the second issued the moment the first completes.
  std::vector<std::int64_t> written_us;
  spawn(sim.a, [&]() -> asio::awaitable<void> {
    for (char fill : {'1', '2'}) {
      std::string bytes(1000, fill);
      co_await sim.client.async_write_some(asio::buffer(bytes), asio::use_awaitable);
      written_us.push_back(us(sim.world.now() - start));
    }
  });

  // The reader sees each write whole, a latency after its transmission ended.
  std::vector<std::pair<std::int64_t, std::string>> arrivals;
  spawn(sim.b, [&]() -> asio::awaitable<void> {
    std::array<char, 4096> buffer{};
    for (int i = 0; i < 2; ++i) {
      const std::size_t n =
          co_await sim.server.async_read_some(asio::buffer(buffer), asio::use_awaitable);
      arrivals.emplace_back(us(sim.world.now() - start), std::string(buffer.data(), n));
    }
  });
  sim.world.run_until_idle();

  BOOST_TEST(written_us == (std::vector<std::int64_t>{1000, 2000}),
             boost::test_tools::per_element());
  BOOST_REQUIRE(arrivals.size() == 2u);
  BOOST_TEST(arrivals[0].first == 1100);
  BOOST_TEST(arrivals[0].second == std::string(1000, '1'));
  BOOST_TEST(arrivals[1].first == 2100);
  BOOST_TEST(arrivals[1].second == std::string(1000, '2'));
}

BOOST_AUTO_TEST_CASE(a_cancelled_write_still_holds_the_link_for_the_next_one) {
  Sim sim;
  sim.net().set_link("a", "b", {.latency = 100us, .bytes_per_second = 1'000'000});
  sim.establish();
  const SimTime start = sim.world.now();

  // A timer cancels the first write halfway through its transmission.
  std::size_t winner = 99;
  std::int64_t second_written_us = -1;
  spawn(sim.a, [&]() -> asio::awaitable<void> {
    std::string first(1000, '1');
    runtime::Timer timer(sim.a);
    timer.expires_after(500us);
    auto result = co_await (sim.client.async_write_some(asio::buffer(first), asio::use_awaitable) ||
                            timer.async_wait(asio::use_awaitable));
    winner = result.index();

    // The next write's transmission starts only when the first one's ends.
    std::string second(1000, '2');
    co_await sim.client.async_write_some(asio::buffer(second), asio::use_awaitable);
    second_written_us = us(sim.world.now() - start);
  });
  auto first_arrival = read(sim.b, sim.server);
  sim.world.run_until_idle();
  auto second_arrival = read(sim.b, sim.server);
  sim.world.run_until_idle();

  BOOST_TEST(winner == 1u);
  BOOST_TEST(second_written_us == 2000);
  BOOST_TEST(us(first_arrival->at - start) == 1100);
  BOOST_TEST(first_arrival->bytes == std::string(1000, '1'));
  BOOST_TEST(second_arrival->bytes == std::string(1000, '2'));
}

// Arrival times of 50 one-byte writes sent at once over a jittery link, and the bytes.
struct JitterRun {
  std::vector<std::int64_t> arrivals_ns;
  std::string bytes;
};

JitterRun run_jittery(std::uint64_t seed) {
  Sim sim(seed);
  sim.net().set_link("a", "b", {.latency = 100us, .jitter = 1ms});
  sim.establish();
  const SimTime start = sim.world.now();

  spawn(sim.a, [&]() -> asio::awaitable<void> {
    for (char value = 0; value < 50; ++value) {
      co_await sim.client.async_write_some(asio::buffer(&value, 1), asio::use_awaitable);
    }
  });
  JitterRun run;
  spawn(sim.b, [&]() -> asio::awaitable<void> {
    std::array<char, 64> buffer{};
    while (run.bytes.size() < 50) {
      const std::size_t n =
          co_await sim.server.async_read_some(asio::buffer(buffer), asio::use_awaitable);
      run.bytes.append(buffer.data(), n);
      run.arrivals_ns.insert(run.arrivals_ns.end(), n, (sim.world.now() - start).count());
    }
  });
  sim.world.run_until_idle();
  return run;
}

BOOST_AUTO_TEST_CASE(jitter_never_reorders_bytes_and_repeats_for_a_seed) {
  const JitterRun first = run_jittery(7);

  // Every byte arrives, in order, within latency plus jitter, at non-decreasing times.
  BOOST_REQUIRE(first.bytes.size() == 50u);
  for (int i = 0; i < 50; ++i) {
    BOOST_TEST(first.bytes[i] == static_cast<char>(i));
  }
  for (std::size_t i = 0; i < first.arrivals_ns.size(); ++i) {
    BOOST_TEST(first.arrivals_ns[i] >= SimTime(100us).count());
    BOOST_TEST(first.arrivals_ns[i] <= SimTime(1100us).count());
    if (i > 0) {
      BOOST_TEST(first.arrivals_ns[i] >= first.arrivals_ns[i - 1]);
    }
  }
  BOOST_TEST(first.arrivals_ns.front() != first.arrivals_ns.back());

  // The same seed gives the same times; another seed others.
  BOOST_TEST(run_jittery(7).arrivals_ns == first.arrivals_ns, boost::test_tools::per_element());
  BOOST_TEST((run_jittery(8).arrivals_ns != first.arrivals_ns));
}

BOOST_AUTO_TEST_CASE(failed_connects_report_what_a_socket_reports_when_it_would) {
  struct Row {
    std::string_view address;
    error_code want;
    std::int64_t at_us;
  };
  const Row rows[] = {
      {"10.0.0.2:26", asio::error::connection_refused, 200},       // nobody listens: one RTT
      {"10.0.0.99:25", asio::error::host_unreachable, 5'000'000},  // nobody has the address
      {"10.0.0.3:25", asio::error::timed_out, 5'000'000},          // the node is down
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT(row.address) {
      Sim sim;
      sim.world.add_node("c", "10.0.0.3");  // never booted
      sim.net().set_connect_timeout(5s);
      sim.listener = listen(sim.b, "10.0.0.2:25");
      auto connected = connect(sim.a, row.address);
      sim.world.run_until_idle();

      BOOST_TEST(connected->ec == row.want);
      BOOST_TEST(us(connected->at) == row.at_us);
      BOOST_TEST(!connected->stream.is_open());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_partition_holds_bytes_until_one_trip_after_the_heal) {
  struct Row {
    SimTime partition_after;  // the write is at 0, its bytes would arrive at 100us
    SimTime heal_after;
    std::int64_t arrived_us;
  };
  const Row rows[] = {
      {0us, 1s, 1'000'100},   // sent across the partition
      {50us, 1s, 1'000'100},  // caught in flight
      {50us, 70us, 100},      // healed before the bytes got there: nothing to hold
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT("partition at " << us(row.partition_after) << "us, heal at "
                                       << us(row.heal_after) << "us") {
      Sim sim;
      sim.establish();
      const SimTime start = sim.world.now();
      sim.world.at(start + row.partition_after, [&] { sim.net().partition("a", "b"); });
      sim.world.at(start + row.heal_after, [&] { sim.net().heal("b", "a"); });

      auto written = write(sim.a, sim.client, "hello");
      auto arrived = read(sim.b, sim.server);
      sim.world.run_until(start + row.heal_after);
      BOOST_TEST(sim.net().partitioned("a", "b") == false);

      // The writer felt nothing; the reader waits for the heal and a trip after it.
      sim.world.run_until_idle();
      BOOST_TEST(us(written->at - start) == 0);
      BOOST_TEST(us(arrived->at - start) == row.arrived_us);
      BOOST_TEST(arrived->bytes == "hello");
    }
  }
}

BOOST_AUTO_TEST_CASE(a_connect_across_a_partition_waits_for_the_heal_or_times_out) {
  struct Row {
    SimTime partition_at;
    std::optional<SimTime> heal_at;
    error_code want;
    std::int64_t at_us;
  };
  const Row rows[] = {
      {0us, 2s, {}, 2'000'200},    // both trips after the heal
      {150us, 1s, {}, 1'000'100},  // the answer waited at the partition
      {0us, std::nullopt, asio::error::timed_out, 5'000'000},
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT("partition at " << us(row.partition_at) << "us") {
      Sim sim;
      sim.net().set_connect_timeout(5s);
      sim.listener = listen(sim.b, "10.0.0.2:25");
      sim.world.at(row.partition_at, [&] { sim.net().partition("a", "b"); });
      if (row.heal_at) {
        sim.world.at(*row.heal_at, [&] { sim.net().heal_all(); });
      }
      auto connected = connect(sim.a, "10.0.0.2:25");
      sim.world.run_until_idle();

      BOOST_TEST(connected->ec == row.want);
      BOOST_TEST(us(connected->at) == row.at_us);
    }
  }
}

BOOST_AUTO_TEST_CASE(reset_connections_resets_both_ends_now) {
  Sim sim;
  sim.establish();
  const SimTime reset_at = sim.world.now() + 1ms;
  auto client_read = read(sim.a, sim.client);
  auto server_read = read(sim.b, sim.server);
  std::size_t reset_count = 0;
  sim.world.at(reset_at, [&] { reset_count = sim.net().reset_connections("b", "a"); });
  sim.world.run_until_idle();

  // Pending reads fail at once on both ends.
  BOOST_TEST(reset_count == 1u);
  for (const OutcomePtr& outcome : {client_read, server_read}) {
    BOOST_TEST(outcome->ec == error_code(asio::error::connection_reset));
    BOOST_TEST(us(outcome->at) == us(reset_at));
  }

  // So do later reads and writes, and a second reset finds nothing to reset.
  auto later_read = read(sim.b, sim.server);
  auto later_write = write(sim.a, sim.client, "x");
  sim.world.run_until_idle();
  BOOST_TEST(later_read->ec == error_code(asio::error::connection_reset));
  BOOST_TEST(later_write->ec == error_code(asio::error::connection_reset));
  BOOST_TEST(sim.net().reset_connections("a", "b") == 0u);
}

BOOST_AUTO_TEST_CASE(half_close_lets_the_peer_read_eof_and_still_answer) {
  Sim sim;
  sim.establish();
  const SimTime start = sim.world.now();

  // The client says hello and shuts down its sending side.
  write(sim.a, sim.client, "hello");
  sim.client.shutdown_send();
  auto hello = read(sim.b, sim.server);
  sim.world.run_until_idle();
  auto eof = read(sim.b, sim.server);
  sim.world.run_until_idle();
  BOOST_TEST(hello->bytes == "hello");
  BOOST_TEST(us(hello->at - start) == 100);
  BOOST_TEST(eof->ec == error_code(asio::error::eof));
  BOOST_TEST(us(eof->at - start) == 100);

  // The server answers over the direction still open; the client cannot write any more.
  write(sim.b, sim.server, "bye");
  auto bye = read(sim.a, sim.client);
  auto refused = write(sim.a, sim.client, "more");
  sim.world.run_until_idle();
  BOOST_TEST(bye->bytes == "bye");
  BOOST_TEST(us(bye->at - start) == 200);
  BOOST_TEST(refused->ec == error_code(asio::error::broken_pipe));
}

BOOST_AUTO_TEST_CASE(close_aborts_own_operations_and_the_peer_reads_eof) {
  Sim sim;
  sim.establish();
  const SimTime start = sim.world.now();
  auto own_read = read(sim.a, sim.client);
  auto peer_read = read(sim.b, sim.server);
  sim.client.close();
  sim.world.run_until_idle();

  BOOST_TEST(own_read->ec == error_code(asio::error::operation_aborted));
  BOOST_TEST(us(own_read->at - start) == 0);
  BOOST_TEST(peer_read->ec == error_code(asio::error::eof));
  BOOST_TEST(us(peer_read->at - start) == 100);

  // A closed stream refuses further work; closing again does nothing.
  auto closed_read = read(sim.a, sim.client);
  sim.client.close();
  sim.world.run_until_idle();
  BOOST_TEST(closed_read->ec == error_code(asio::error::bad_descriptor));
}

BOOST_AUTO_TEST_CASE(bytes_sent_to_a_closed_end_draw_a_reset) {
  Sim sim;
  sim.establish();
  const SimTime start = sim.world.now();
  sim.client = ByteStream();  // destroying the stream closes it
  auto eof = read(sim.b, sim.server);
  sim.world.run_until_idle();
  BOOST_TEST(eof->ec == error_code(asio::error::eof));

  // The server's bytes reach the closed end at 200us; its reset is back at 300us.
  auto written = write(sim.b, sim.server, "too late");
  sim.world.run_until_idle();
  BOOST_TEST(!written->ec);
  BOOST_TEST(us(sim.world.now() - start) == 300);
  const std::string reset_line =
      R"({"t_us": 500, "node": "b", "event": "net.reset", "local": "10.0.0.2:25", )"
      R"("remote": "10.0.0.1:49152"})";
  BOOST_TEST(sim.network_trace().back() == reset_line);

  // From then on the server's end fails like a reset socket.
  auto read_after = read(sim.b, sim.server);
  auto write_after = write(sim.b, sim.server, "x");
  sim.world.run_until_idle();
  BOOST_TEST(read_after->ec == error_code(asio::error::connection_reset));
  BOOST_TEST(write_after->ec == error_code(asio::error::connection_reset));
}

BOOST_AUTO_TEST_CASE(a_timer_cancels_a_pending_read_and_the_stream_goes_on) {
  Sim sim;
  sim.establish();
  const SimTime start = sim.world.now();
  sim.world.at(start + 100ms, [&] { write(sim.b, sim.server, "late"); });

  std::size_t winner = 99;
  std::int64_t cancelled_us = -1;
  std::string received;
  std::int64_t received_us = -1;
  spawn(sim.a, [&]() -> asio::awaitable<void> {
    std::array<char, 16> buffer{};
    runtime::Timer timer(sim.a);
    timer.expires_after(50ms);
    auto result = co_await (sim.client.async_read_some(asio::buffer(buffer), asio::use_awaitable) ||
                            timer.async_wait(asio::use_awaitable));
    winner = result.index();
    cancelled_us = us(sim.world.now() - start);

    // Nothing was lost: the next read gets the bytes that come later.
    const std::size_t n =
        co_await sim.client.async_read_some(asio::buffer(buffer), asio::use_awaitable);
    received.assign(buffer.data(), n);
    received_us = us(sim.world.now() - start);
  });
  sim.world.run_until_idle();

  BOOST_TEST(winner == 1u);
  BOOST_TEST(cancelled_us == 50'000);
  BOOST_TEST(received == "late");
  BOOST_TEST(received_us == 100'100);
}

BOOST_AUTO_TEST_CASE(a_timer_cancels_a_pending_connect_and_a_pending_accept) {
  Sim sim;
  sim.listener = listen(sim.b, "10.0.0.2:25");
  sim.net().partition("a", "b");

  // Both wait across the partition until their timers win.
  std::vector<std::pair<std::size_t, std::int64_t>> outcomes;
  auto race = [&](sim::Node& node, auto operation) {
    spawn(node, [&sim, &outcomes, where = &node, operation]() -> asio::awaitable<void> {
      runtime::Timer timer(*where);
      timer.expires_after(1s);
      auto result = co_await (operation() || timer.async_wait(asio::use_awaitable));
      outcomes.emplace_back(result.index(), us(sim.world.now()));
    });
  };
  race(sim.a, [&] {
    return runtime::async_connect(sim.a.network(), endpoint("10.0.0.2:25"), asio::use_awaitable);
  });
  race(sim.b, [&] { return sim.listener.async_accept(asio::use_awaitable); });
  sim.world.run_until_idle();

  BOOST_REQUIRE(outcomes.size() == 2u);
  for (const auto& [winner, at_us] : outcomes) {
    BOOST_TEST(winner == 1u);
    BOOST_TEST(at_us == 1'000'000);
  }
  BOOST_TEST(sim.world.trace().text().find("\"error\": \"operation_aborted\"") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_crash_resets_the_peer_and_frees_the_port_for_the_restart) {
  Sim sim;
  std::string listened;  // one letter per boot: y if it could listen
  sim.b.crash();
  sim.b.boot([&](runtime::Host& host) -> std::shared_ptr<void> {
    auto listener = host.network().listen(endpoint("10.0.0.2:25"));
    listened += listener ? 'y' : 'n';
    if (!listener) {
      return nullptr;
    }
    return std::make_shared<runtime::Listener>(std::move(*listener));
  });
  auto connected = connect(sim.a, "10.0.0.2:25");
  sim.world.run_until_idle();
  BOOST_REQUIRE(!connected->ec);

  // The crash reaches the client as a reset one trip later.
  const SimTime crash_at = sim.world.now() + 1ms;
  auto reset = read(sim.a, connected->stream);
  sim.world.at(crash_at, [&] { sim.b.crash(); });
  sim.world.run_until_idle();
  BOOST_TEST(reset->ec == error_code(asio::error::connection_reset));
  BOOST_TEST(us(reset->at) == us(crash_at + 100us));

  // Restarted, the node listens on the same port again and takes connections.
  sim.b.restart();
  const SimTime restart_at = sim.world.now();
  auto again = connect(sim.a, "10.0.0.2:25");
  sim.world.run_until_idle();
  BOOST_TEST(listened == "yy");
  BOOST_TEST(!again->ec);
  BOOST_TEST(us(again->at) == us(restart_at + 200us));
}

BOOST_AUTO_TEST_CASE(a_crashed_nodes_streams_are_inert_and_its_peer_is_reset) {
  Sim sim;
  sim.establish();
  const SimTime crash_at = sim.world.now();
  auto pending = read(sim.a, sim.client);
  auto peer = read(sim.b, sim.server);
  sim.a.crash();

  // The crashed end's handlers are dropped uncalled, and closing it changes nothing.
  sim.client.close();
  auto later = read(sim.a, sim.client);
  sim.world.run_until_idle();
  BOOST_TEST(!pending->done);
  BOOST_TEST(!later->done);
  for (const std::string& line : sim.network_trace()) {
    BOOST_TEST(line.find("net.close") == std::string::npos);
  }

  // The peer learns of the crash one trip later.
  BOOST_TEST(peer->ec == error_code(asio::error::connection_reset));
  BOOST_TEST(us(peer->at - crash_at) == 100);
}

BOOST_AUTO_TEST_CASE(a_crash_drops_the_connects_in_progress) {
  struct Row {
    SimTime crash_at;
    bool accepted;             // whether the request reached the listener first
    std::int64_t reset_at_us;  // when the server's end learns of the crash
  };
  for (const Row& row : {Row{50us, false, -1}, Row{150us, true, 250}}) {
    BOOST_TEST_CONTEXT("crash at " << us(row.crash_at) << "us") {
      Sim sim;
      sim.listener = listen(sim.b, "10.0.0.2:25");
      auto server_read = std::make_shared<OutcomePtr>();
      auto accepted = std::make_shared<Outcome>();
      sim.listener.async_accept([&, accepted, server_read](error_code ec, ByteStream stream) {
        finish(*accepted, sim.b, ec);
        accepted->stream = std::move(stream);
        *server_read = read(sim.b, accepted->stream);
      });
      auto connected = connect(sim.a, "10.0.0.2:25");
      sim.world.at(row.crash_at, [&] { sim.a.crash(); });
      sim.world.run_until_idle();

      BOOST_TEST(!connected->done);
      BOOST_TEST(accepted->done == row.accepted);
      if (row.accepted) {
        BOOST_TEST((*server_read)->ec == error_code(asio::error::connection_reset));
        BOOST_TEST(us((*server_read)->at) == row.reset_at_us);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(loopback_stays_within_the_node) {
  struct Row {
    std::string_view listen_on;
    std::string_view from;
    std::string_view connect_to;
    error_code want;
    std::int64_t at_us;
  };
  const Row rows[] = {
      {"127.0.0.1:8080", "a", "localhost:8080", {}, 20},
      {"127.0.0.1:8080", "a", "127.0.0.1:8080", {}, 20},
      {"127.0.0.1:8080", "a", "10.0.0.1:8080", asio::error::connection_refused, 20},
      {"127.0.0.1:8080", "b", "10.0.0.1:8080", asio::error::connection_refused, 200},
      {"0.0.0.0:8080", "a", "127.0.0.1:8080", {}, 20},
      {"0.0.0.0:8080", "a", "10.0.0.1:8080", {}, 20},
      {"0.0.0.0:8080", "b", "10.0.0.1:8080", {}, 200},
      {"localhost:8080", "b", "127.0.0.1:8080", asio::error::connection_refused, 20},
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT(row.from << " to " << row.connect_to << ", listening on " << row.listen_on) {
      Sim sim;
      sim.listener = listen(sim.a, row.listen_on);
      auto connected = connect(row.from == "a" ? sim.a : sim.b, row.connect_to);
      sim.world.run_until_idle();
      BOOST_TEST(connected->ec == row.want);
      BOOST_TEST(us(connected->at) == row.at_us);
    }
  }
}

BOOST_AUTO_TEST_CASE(loopback_endpoints_name_the_loopback_address) {
  Sim sim;
  sim.listener = listen(sim.a, "localhost:8080");
  auto accepted = accept(sim.a, sim.listener);
  auto connected = connect(sim.a, "localhost:8080");
  sim.world.run_until_idle();

  BOOST_TEST(sim.listener.local_endpoint().to_string() == "127.0.0.1:8080");
  BOOST_TEST(connected->stream.local_endpoint().to_string() == "127.0.0.1:49152");
  BOOST_TEST(connected->stream.remote_endpoint().to_string() == "127.0.0.1:8080");
  BOOST_TEST(accepted->stream.remote_endpoint().to_string() == "127.0.0.1:49152");
}

BOOST_AUTO_TEST_CASE(listen_checks_addresses_and_hands_out_ephemeral_ports) {
  struct Row {
    std::string_view address;
    error_code want;
    std::string_view bound;
  };
  const Row rows[] = {
      {"10.0.0.1:25", {}, "10.0.0.1:25"},
      {"10.0.0.1:25", runtime::Error::address_in_use, ""},
      {"0.0.0.0:25", runtime::Error::address_in_use, ""},
      {"127.0.0.1:25", {}, "127.0.0.1:25"},
      {"localhost:25", runtime::Error::address_in_use, ""},
      {"10.0.0.2:25", {EADDRNOTAVAIL, boost::system::system_category()}, ""},
      {"10.0.0.1:0", {}, "10.0.0.1:49152"},
      {"0.0.0.0:0", {}, "0.0.0.0:49153"},
      {"0.0.0.0:587", {}, "0.0.0.0:587"},
      {"10.0.0.1:587", runtime::Error::address_in_use, ""},
  };
  Sim sim;
  std::vector<runtime::Listener> held;
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT(row.address) {
      auto listener = sim.a.network().listen(endpoint(row.address));
      BOOST_TEST(listener.has_error() == static_cast<bool>(row.want));
      if (listener) {
        BOOST_TEST(listener->local_endpoint().to_string() == row.bound);
        held.push_back(std::move(*listener));
      } else {
        BOOST_TEST(listener.error() == row.want);
      }
    }
  }

  // A connect takes the node's next ephemeral port; a closed listener's port is free.
  auto connected = connect(sim.a, "10.0.0.2:7");
  held.front().close();
  BOOST_TEST(sim.a.network().listen(endpoint("10.0.0.1:25")).has_value());
  sim.world.run_until_idle();
  BOOST_TEST(sim.world.trace().text().find("\"from\": \"10.0.0.1:49154\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_trace_names_connection_events_and_no_sizes) {
  Sim sim;
  sim.establish();
  write(sim.a, sim.client, "hello");
  sim.world.run_until_idle();
  sim.client.close();
  sim.world.run_until_idle();
  sim.net().partition("a", "b");
  sim.net().heal("a", "b");

  const std::vector<std::string> want = {
      R"({"t_us": 0, "node": "b", "event": "net.listen", "address": "10.0.0.2:25"})",
      R"({"t_us": 0, "node": "a", "event": "net.connect", "from": "10.0.0.1:49152", )"
      R"("to": "10.0.0.2:25"})",
      R"({"t_us": 100, "node": "b", "event": "net.accept", "local": "10.0.0.2:25", )"
      R"("remote": "10.0.0.1:49152"})",
      R"({"t_us": 200, "node": "a", "event": "net.connected", "local": "10.0.0.1:49152", )"
      R"("remote": "10.0.0.2:25"})",
      R"({"t_us": 300, "node": "a", "event": "net.close", "local": "10.0.0.1:49152", )"
      R"("remote": "10.0.0.2:25"})",
      R"({"t_us": 400, "node": "network", "event": "net.partition", "a": "a", "b": "b"})",
      R"({"t_us": 400, "node": "network", "event": "net.heal", "a": "a", "b": "b"})",
  };
  BOOST_TEST(sim.network_trace() == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
