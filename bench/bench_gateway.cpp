// The gateway's speed over loopback, on real sockets and a real spool: messages accepted per
// second (each answered 250 only once it and its envelope are synced to disk) by one and by
// several concurrent sessions, and the accept latency, from connect() to the 220 greeting,
// as p50 and p99. The gateway delivers what it accepts to a sink on loopback while the
// benchmark runs, as it would in service.
//
// Run: build/bin/bench_gateway [--benchmark_filter=...]. The spool goes to a fresh folder
// under $TMPDIR (default /tmp), removed at exit: put TMPDIR on the disk to be measured.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "runtime/real/posix_storage.hpp"
#include "runtime/real/real_host.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// A port nobody listens on now; the gateway binds it right after.
unsigned short free_port() {
  asio::io_context io;
  tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return probe.local_endpoint().port();
}

// Reads one SMTP reply, all its lines; returns its code, or 0 when the peer closed.
int read_reply(tcp::socket& socket, asio::streambuf& buffer) {
  for (;;) {
    boost::system::error_code ec;
    asio::read_until(socket, buffer, "\r\n", ec);
    if (ec) {
      return 0;
    }
    std::istream in(&buffer);
    std::string line;
    std::getline(in, line);
    if (line.size() >= 4 && line[3] == ' ') {
      return std::atoi(line.substr(0, 3).c_str());
    }
  }
}

void send(tcp::socket& socket, const std::string& text) {
  asio::write(socket, asio::buffer(text));
}

// The next hop: accepts every message at once, in a thread of its own.
class Sink {
 public:
  Sink() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Sink() {
    io_.stop();
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket = co_await acceptor_.async_accept(asio::use_awaitable);
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  static asio::awaitable<void> serve(tcp::socket socket) {
    try {
      std::string input;
      auto reply = [&](std::string text) -> asio::awaitable<void> {
        co_await asio::async_write(socket, asio::buffer(text), asio::use_awaitable);
      };
      co_await reply("220 sink\r\n");
      for (;;) {
        const std::size_t line_end = co_await asio::async_read_until(
            socket, asio::dynamic_buffer(input), "\r\n", asio::use_awaitable);
        const std::string verb = input.substr(0, std::min<std::size_t>(4, line_end));
        input.erase(0, line_end);
        if (verb == "DATA") {
          co_await reply("354 go on\r\n");
          const std::size_t end = co_await asio::async_read_until(
              socket, asio::dynamic_buffer(input), "\r\n.\r\n", asio::use_awaitable);
          input.erase(0, end);
          co_await reply("250 stored\r\n");
        } else if (verb == "QUIT") {
          co_await reply("221 bye\r\n");
          co_return;
        } else {
          co_await reply("250 ok\r\n");
        }
      }
    } catch (const boost::system::system_error&) {
      // The gateway closed the session; nothing to keep.
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

// One mta-gateway on loopback, with its spool in a fresh folder, running in a thread.
class GatewayUnderTest {
 public:
  GatewayUnderTest()
      : folder_(make_folder()),
        port_(free_port()),
        host_({.name = "bench-gateway", .seed = 1, .io = io_, .storage = storage_}) {
    const std::string yaml =
        "hostname: gw.example.net\n"
        "listen: 127.0.0.1:" +
        std::to_string(port_) +
        "\n"
        "accepted_domains: [corp.example]\n"
        "spool_dir: " +
        (folder_ / "spool").string() +
        "\n"
        "routes:\n"
        "  - domain: corp.example\n"
        "    next_hop: 127.0.0.1:" +
        std::to_string(sink_.port()) +
        "\n"
        "    tls: none\n"
        "limits:\n"
        "  max_connections: 1000\n"
        "  max_queue_messages: 1000000\n";
    auto config = gateway::parse_config(yaml, (folder_ / "gateway.yaml").string());
    if (!config) {
      throw std::runtime_error("bench_gateway: the built-in configuration does not parse");
    }
    gateway::GatewayInputs inputs;
    inputs.log_sink = [](gateway::LogLevel, std::string_view) {};
    std::string error;
    gateway_ = gateway::Gateway::create(host_, *config, std::move(inputs), error);
    if (!gateway_ || gateway_->start(error)) {
      throw std::runtime_error("bench_gateway: the gateway does not start: " + error);
    }
    thread_ = std::thread([this] { io_.run(); });
  }

  ~GatewayUnderTest() {
    io_.stop();
    thread_.join();
    gateway_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  tcp::endpoint endpoint() const { return {asio::ip::make_address("127.0.0.1"), port_}; }

  // Shared by every benchmark and thread in this process, started on first use.
  static GatewayUnderTest& instance() {
    static GatewayUnderTest gateway;
    return gateway;
  }

 private:
  static std::filesystem::path make_folder() {
    const char* base = std::getenv("TMPDIR");
    // mkdtemp(3) replaces the six 'X' that end the template.
    std::string pattern =
        std::string(base ? base : "/tmp") + "/bench-gateway-" + std::string(6, 'X');
    if (!mkdtemp(pattern.data())) {
      throw std::runtime_error("bench_gateway: cannot make a folder under " + pattern);
    }
    return pattern;
  }

  std::filesystem::path folder_;
  unsigned short port_;
  Sink sink_;
  asio::io_context io_{1};
  runtime::PosixStorage storage_;
  runtime::RealHost host_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::thread thread_;
};

std::string message_body(std::size_t size_bytes) {
  std::string body = "From: a@sender.example\r\nTo: b@corp.example\r\nSubject: bench\r\n\r\n";
  const std::string line(76, 'x');
  while (body.size() < size_bytes) {
    body += line + "\r\n";
  }
  return body + ".\r\n";
}

// Each iteration: one message over an open session, from MAIL to the 250 after the dot.
// With several threads, each runs a session of its own at the same time.
void messages_accepted(benchmark::State& state) {
  auto& gateway = GatewayUnderTest::instance();
  const auto size_bytes = static_cast<std::size_t>(state.range(0));
  const std::string transaction =
      "MAIL FROM:<a@sender.example>\r\n"
      "RCPT TO:<b@corp.example>\r\n"
      "DATA\r\n";
  const std::string body = message_body(size_bytes);

  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(gateway.endpoint());
  socket.set_option(tcp::no_delay(true));
  asio::streambuf buffer;
  read_reply(socket, buffer);
  send(socket, "EHLO bench.example\r\n");
  read_reply(socket, buffer);

  for (auto _ : state) {
    send(socket, transaction);  // PIPELINING: three replies come back together
    const int mail = read_reply(socket, buffer);
    const int rcpt = read_reply(socket, buffer);
    const int data = read_reply(socket, buffer);
    send(socket, body);
    const int queued = read_reply(socket, buffer);
    if (mail != 250 || rcpt != 250 || data != 354 || queued != 250) {
      state.SkipWithError("the gateway did not accept a message");
      break;
    }
  }
  send(socket, "QUIT\r\n");
  read_reply(socket, buffer);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(messages_accepted)
    ->ArgName("bytes")
    ->Arg(1024)
    ->Arg(100 * 1024)
    ->Threads(1)
    ->Threads(8)
    ->UseRealTime();

// Each iteration: connect, and wait for the greeting; the time of that is what is measured.
// QUIT and the close that follow are not.
void accept_latency(benchmark::State& state) {
  auto& gateway = GatewayUnderTest::instance();
  asio::io_context io;
  std::vector<double> latencies_us;
  for (auto _ : state) {
    asio::streambuf buffer;
    tcp::socket socket(io);
    const auto started = Clock::now();
    socket.connect(gateway.endpoint());
    const int greeting = read_reply(socket, buffer);
    const std::chrono::duration<double> waited = Clock::now() - started;
    state.SetIterationTime(waited.count());
    latencies_us.push_back(waited.count() * 1e6);
    if (greeting != 220) {
      state.SkipWithError("the gateway did not greet");
      break;
    }
    send(socket, "QUIT\r\n");
    read_reply(socket, buffer);
  }
  if (latencies_us.empty()) {
    return;
  }
  std::sort(latencies_us.begin(), latencies_us.end());
  auto percentile = [&](double p) {
    const auto index = static_cast<std::size_t>(p * static_cast<double>(latencies_us.size() - 1));
    return latencies_us[index];
  };
  state.counters["p50_us"] = percentile(0.50);
  state.counters["p99_us"] = percentile(0.99);
}
BENCHMARK(accept_latency)->UseManualTime();

}  // namespace

BENCHMARK_MAIN();
