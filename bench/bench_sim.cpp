// The simulation kernel's speed: scheduled events per wall-second, and round trips per
// wall-second over the simulated network, in plaintext and over TLS.
#include <memory>
#include <optional>
#include <string>

#include <benchmark/benchmark.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "runtime/certificates.hpp"
#include "runtime/host.hpp"
#include "runtime/tls.hpp"
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

// Server and client TLS settings for the TLS round trips; null for plaintext.
struct TlsPair {
  std::optional<runtime::TlsContext> server;
  std::optional<runtime::TlsContext> client;
};

TlsPair make_tls_pair() {
  const auto start = runtime::WallTime(std::chrono::seconds(1767225600)) - 24h;
  auto authority = runtime::make_certificate_authority(
                       {.common_name = "Bench CA", .not_before = start, .not_after = start + 48h})
                       .value();
  auto leaf = runtime::issue_certificate(authority, {.common_name = "server",
                                                     .ip_addresses = {"10.0.0.1"},
                                                     .not_before = start,
                                                     .not_after = start + 48h,
                                                     .serial = 2})
                  .value();
  TlsPair pair;
  pair.server.emplace(runtime::TlsContext::server(leaf.chain_pem, leaf.private_key_pem).value());
  pair.client.emplace(runtime::TlsContext::client_verifying(authority.certificate_pem).value());
  return pair;
}

asio::awaitable<void> echo_server(runtime::Host& host, std::shared_ptr<runtime::Listener> listener,
                                  runtime::TlsContext* tls) {
  runtime::error_code ec;
  runtime::ByteStream stream =
      co_await listener->async_accept(asio::redirect_error(asio::use_awaitable, ec));
  if (tls != nullptr && !ec) {
    stream = co_await runtime::async_tls_handshake(host, std::move(stream), *tls,
                                                   runtime::TlsRole::server, std::string(),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  }
  std::string buffer(message_size, '\0');
  while (!ec) {
    co_await asio::async_read(stream, asio::buffer(buffer),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      co_await asio::async_write(stream, asio::buffer(buffer),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  }
}

asio::awaitable<void> ping_client(runtime::Host& host, int round_trips,
                                  runtime::TlsContext* tls) {
  runtime::error_code ec;
  const runtime::Endpoint server{"10.0.0.1", 7};
  runtime::ByteStream stream = co_await runtime::async_connect(
      host.network(), server, asio::redirect_error(asio::use_awaitable, ec));
  if (tls != nullptr && !ec) {
    stream = co_await runtime::async_tls_handshake(host, std::move(stream), *tls,
                                                   runtime::TlsRole::client, "10.0.0.1",
                                                   asio::redirect_error(asio::use_awaitable, ec));
  }
  std::string buffer(message_size, 'x');
  for (int i = 0; i < round_trips && !ec; ++i) {
    co_await asio::async_write(stream, asio::buffer(buffer),
                               asio::redirect_error(asio::use_awaitable, ec));
    co_await asio::async_read(stream, asio::buffer(buffer),
                              asio::redirect_error(asio::use_awaitable, ec));
  }
}

// Round trips of 64 bytes over a 1 ms link; with TLS, one handshake per world.
void round_trips(benchmark::State& state, bool with_tls) {
  const auto trips = static_cast<int>(state.range(0));
  TlsPair tls = with_tls ? make_tls_pair() : TlsPair{};
  runtime::TlsContext* server_tls = tls.server ? &*tls.server : nullptr;
  runtime::TlsContext* client_tls = tls.client ? &*tls.client : nullptr;
  for (auto _ : state) {
    sim::World world;
    auto& server = world.add_node("server", "10.0.0.1");
    auto& client = world.add_node("client", "10.0.0.2");
    world.network().set_default_link({.latency = 1ms});
    server.boot([server_tls](runtime::Host& host) {
      auto listener = std::make_shared<runtime::Listener>(
          std::move(host.network().listen({"10.0.0.1", 7}).value()));
      asio::co_spawn(host.executor(), echo_server(host, listener, server_tls), asio::detached);
      return listener;
    });
    client.boot([trips, client_tls](runtime::Host& host) {
      asio::co_spawn(host.executor(), ping_client(host, trips, client_tls), asio::detached);
      return std::shared_ptr<void>();
    });
    world.run_until_idle();
  }
  state.SetItemsProcessed(state.iterations() * trips);
}
BENCHMARK_CAPTURE(round_trips, plaintext, false)->Arg(1'000);
BENCHMARK_CAPTURE(round_trips, tls, true)->Arg(1'000);

}  // namespace

BENCHMARK_MAIN();
