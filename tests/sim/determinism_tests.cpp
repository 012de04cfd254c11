// Same seed, same world, same trace: byte for byte. A randomised world with many
// connections, jittery links, a partition, resets and a crash runs twice per seed.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include "runtime/host.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using runtime::error_code;

constexpr int server_count = 3;
constexpr int client_count = 5;
constexpr int connections_per_client = 20;
constexpr std::uint16_t echo_port = 7;

std::string server_address(int index) {
  return "10.0.1." + std::to_string(index + 1);
}

// Echoes each length-prefixed chunk back and stores a count of chunks on disk.
asio::awaitable<void> echo(runtime::Host& host, runtime::ByteStream stream) {
  error_code ec;
  std::uint64_t chunks = 0;
  for (;;) {
    unsigned char length = 0;
    co_await asio::async_read(stream, asio::buffer(&length, 1),
                              asio::redirect_error(asio::use_awaitable, ec));
    std::string payload(length, '\0');
    if (!ec) {
      co_await asio::async_read(stream, asio::buffer(payload),
                                asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
      break;
    }
    co_await asio::async_write(stream, asio::buffer(payload),
                               asio::redirect_error(asio::use_awaitable, ec));
    ++chunks;
  }
  host.events().record("test.echo_done", {{"chunks", chunks}, {"error", ec.message()}});
  runtime::write_file_durably(host.storage(), "data", "last", std::to_string(chunks));
}

asio::awaitable<void> serve(runtime::Host& host, std::shared_ptr<runtime::Listener> listener) {
  for (;;) {
    error_code ec;
    runtime::ByteStream stream =
        co_await listener->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_return;
    }
    asio::co_spawn(host.executor(), echo(host, std::move(stream)), asio::detached);
  }
}

// Opens connections at random times to random servers and sends random chunks.
asio::awaitable<void> client(runtime::Host& host) {
  auto random = host.random("workload");
  for (int i = 0; i < connections_per_client; ++i) {
    runtime::Timer pause(host);
    pause.expires_after(std::chrono::milliseconds(random.uniform(0, 2000)));
    co_await pause.async_wait(asio::use_awaitable);

    error_code ec;
    const int target = static_cast<int>(random.uniform(0, server_count - 1));
    const runtime::Endpoint server{server_address(target), echo_port};
    runtime::ByteStream stream = co_await runtime::async_connect(
        host.network(), server, asio::redirect_error(asio::use_awaitable, ec));
    const auto chunks = random.uniform(1, 5);
    std::uint64_t echoed = 0;
    for (std::uint64_t c = 0; c < chunks && !ec; ++c) {
      std::string payload(random.uniform(1, 200), 'a');
      const auto length = static_cast<unsigned char>(payload.size());
      co_await asio::async_write(stream, asio::buffer(&length, 1),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        co_await asio::async_write(stream, asio::buffer(payload),
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      if (!ec) {
        co_await asio::async_read(stream, asio::buffer(payload),
                                  asio::redirect_error(asio::use_awaitable, ec));
      }
      echoed += ec ? 0 : 1;
    }
    host.events().record("test.client_done",
                         {{"target", target}, {"echoed", echoed}, {"error", ec.message()}});
  }
}

// Builds and runs the whole world; returns its trace digest.
std::string run_world(std::uint64_t seed) {
  sim::World world({.seed = seed});
  auto random = world.random("test-topology");
  for (int s = 0; s < server_count; ++s) {
    world.add_node("server-" + std::to_string(s), server_address(s));
  }
  for (int c = 0; c < client_count; ++c) {
    world.add_node("client-" + std::to_string(c), "10.0.2." + std::to_string(c + 1));
  }
  world.network().set_default_link(
      {.latency = std::chrono::microseconds(random.uniform(100, 50'000)),
       .jitter = std::chrono::microseconds(random.uniform(0, 20'000)),
       .bytes_per_second = random.uniform(10'000, 10'000'000)});

  for (int s = 0; s < server_count; ++s) {
    world.node("server-" + std::to_string(s)).boot([](runtime::Host& host) {
      host.storage().create_directories("data");
      auto listener = std::make_shared<runtime::Listener>(
          std::move(host.network().listen({"0.0.0.0", echo_port}).value()));
      asio::co_spawn(host.executor(), serve(host, listener), asio::detached);
      return listener;
    });
  }
  for (int c = 0; c < client_count; ++c) {
    world.node("client-" + std::to_string(c)).boot([](runtime::Host& host) {
      asio::co_spawn(host.executor(), client(host), asio::detached);
      return std::shared_ptr<void>();
    });
  }

  // Faults at random times: a partition that heals, resets, a crash and a restart.
  const auto at = [&](std::uint64_t low_ms, std::uint64_t high_ms) {
    return sim::SimTime(std::chrono::milliseconds(random.uniform(low_ms, high_ms)));
  };
  world.at(at(1000, 5000), [&] { world.network().partition("client-0", "server-0"); });
  world.at(at(6000, 9000), [&] { world.network().heal_all(); });
  world.at(at(2000, 20000), [&] { world.network().reset_connections("client-1", "server-1"); });
  world.at(at(3000, 10000), [&] { world.node("server-2").crash(); });
  world.at(at(11000, 15000), [&] { world.node("server-2").restart(); });

  world.run_until_idle(sim::SimTime(1h));
  BOOST_TEST_MESSAGE("seed " << seed << ": " << world.trace().lines() << " trace lines");
  BOOST_TEST(world.trace().lines() > 200u);
  return world.trace().digest();
}

BOOST_AUTO_TEST_SUITE(determinism)

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_trace_and_another_seed_another) {
  const std::string first = run_world(1);
  const std::string again = run_world(1);
  const std::string other = run_world(2);

  BOOST_TEST(first == again);
  BOOST_TEST(first != other);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
