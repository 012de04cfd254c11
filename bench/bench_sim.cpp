// The simulation kernel's speed: scheduled events per wall-second, and round trips per
// wall-second over the simulated network, in plaintext and over TLS.
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "runtime/host.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

void scheduled_events(benchmark::State& state) {
  const auto batch = static_cast<int>(state.range(0));
  for (auto _ : state) {
    sim::Scheduler scheduler;
    std::uint64_t sum = 0;
    for (int i = 0; i < batch; ++i) {
      scheduler.after(std::chrono::microseconds((i * 7919) % 100'000), [&sum, i] { sum += i; });
    }
    while (scheduler.run_next()) {
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(scheduled_events)->Arg(1'000)->Arg(100'000);

// Virtual timers through the whole node machinery: co_await on a seam timer.
void timer_waits(benchmark::State& state) {
  const auto waits = static_cast<int>(state.range(0));
  for (auto _ : state) {
    sim::World world;
    auto& node = world.add_node("n", "10.0.0.1");
    node.boot([waits](runtime::Host& host) {
      auto loop = [](runtime::Host& h, int count) -> asio::awaitable<void> {
        runtime::Timer timer(h);
        for (int i = 0; i < count; ++i) {
          timer.expires_after(10min);
          co_await timer.async_wait(asio::use_awaitable);
        }
      };
      asio::co_spawn(host.executor(), loop(host, waits), asio::detached);
      return std::shared_ptr<void>();
    });
    world.run_until_idle();
  }
  state.SetItemsProcessed(state.iterations() * waits);
}
BENCHMARK(timer_waits)->Arg(10'000);

constexpr std::size_t message_size = 64;

asio::awaitable<void> echo_server(runtime::Host& host, std::shared_ptr<runtime::Listener> listener) {
  runtime::error_code ec;
  runtime::ByteStream stream =
      co_await listener->async_accept(asio::redirect_error(asio::use_awaitable, ec));
  std::string buffer(message_size, '\0');
  while (!ec) {
    co_await asio::async_read(stream, asio::buffer(buffer),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      co_await asio::async_write(stream, asio::buffer(buffer),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  (void)host;
}

asio::awaitable<void> ping_client(runtime::Host& host, int round_trips) {
  runtime::error_code ec;
  const runtime::Endpoint server{"10.0.0.1", 7};
  runtime::ByteStream stream = co_await runtime::async_connect(
      host.network(), server, asio::redirect_error(asio::use_awaitable, ec));
  std::string buffer(message_size, 'x');
  for (int i = 0; i < round_trips && !ec; ++i) {
    co_await asio::async_write(stream, asio::buffer(buffer),
                               asio::redirect_error(asio::use_awaitable, ec));
    co_await asio::async_read(stream, asio::buffer(buffer),
                              asio::redirect_error(asio::use_awaitable, ec));
  }
}

void plaintext_round_trips(benchmark::State& state) {
  const auto round_trips = static_cast<int>(state.range(0));
  for (auto _ : state) {
    sim::World world;
    auto& server = world.add_node("server", "10.0.0.1");
    auto& client = world.add_node("client", "10.0.0.2");
    world.network().set_default_link({.latency = 1ms});
    server.boot([](runtime::Host& host) {
      auto listener = std::make_shared<runtime::Listener>(
          std::move(host.network().listen({"10.0.0.1", 7}).value()));
      asio::co_spawn(host.executor(), echo_server(host, listener), asio::detached);
      return listener;
    });
    client.boot([round_trips](runtime::Host& host) {
      asio::co_spawn(host.executor(), ping_client(host, round_trips), asio::detached);
      return std::shared_ptr<void>();
    });
    world.run_until_idle();
  }
  state.SetItemsProcessed(state.iterations() * round_trips);
}
BENCHMARK(plaintext_round_trips)->Arg(1'000);

}  // namespace

BENCHMARK_MAIN();
