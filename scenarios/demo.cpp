#include "scenarios/demo.hpp"

#include <memory>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "runtime/host.hpp"
#include "sim/disk.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"

namespace scenarios {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using runtime::error_code;

constexpr std::uint16_t relay_port = 25;
constexpr int message_count = 6;
const std::string spool_folder = "spool";

// The relay: each line a client sends is one "message", stored durably before the reply.
class Relay {
 public:
  explicit Relay(runtime::Host& host) : host_(host) {}

  void start() {
    host_.storage().create_directories(spool_folder);
    auto listener = host_.network().listen({"0.0.0.0", relay_port});
    if (!listener) {
      host_.events().record("demo.listen_failed", {{"error", listener.error().message()}});
      return;
    }
    listener_ = std::move(*listener);
    asio::co_spawn(host_.executor(), accept_loop(), asio::detached);
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      error_code ec;
      runtime::ByteStream stream =
          co_await listener_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        co_return;
      }
      asio::co_spawn(host_.executor(), serve(std::move(stream)), asio::detached);
    }
  }

  asio::awaitable<void> serve(runtime::ByteStream stream) {
    asio::streambuf input;
    for (;;) {
      error_code ec;
      std::size_t length = co_await asio::async_read_until(
          stream, input, '\n', asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        co_return;
      }
      std::string line(asio::buffers_begin(input.data()),
                       asio::buffers_begin(input.data()) + static_cast<long>(length));
      input.consume(length);

      // Acknowledge only what is durable: that is the promise behind an SMTP 250.
      auto listed = host_.storage().list(spool_folder);
      const std::string name = "message-" + std::to_string(listed ? listed->size() + 1 : 0);
      std::string reply = "250 stored as " + name + "\n";
      if (runtime::write_file_durably(host_.storage(), spool_folder, name, line)) {
        reply = "451 not stored\n";
      }
      host_.events().record("demo.reply", {{"reply", reply.substr(0, reply.size() - 1)}});
      co_await asio::async_write(stream, asio::buffer(reply),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  runtime::Host& host_;
  runtime::Listener listener_;
};

// The source: sends each message, waits for its reply, and on any failure waits a minute
// and reconnects, sending again what was not acknowledged.
asio::awaitable<void> send_all(runtime::Host& host, std::uint64_t& acknowledged) {
  int next = 1;
  while (next <= message_count) {
    error_code ec;
    // A named endpoint, not a braced temporary: g++ 12 mishandles temporaries inside co_await.
    const runtime::Endpoint relay{"10.0.0.25", relay_port};
    runtime::ByteStream stream = co_await runtime::async_connect(
        host.network(), relay, asio::redirect_error(asio::use_awaitable, ec));
    asio::streambuf input;
    while (!ec && next <= message_count) {
      std::string message = "Subject: demo " + std::to_string(next) + "\n";
      co_await asio::async_write(stream, asio::buffer(message),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        break;
      }
      std::size_t length = co_await asio::async_read_until(
          stream, input, '\n', asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        break;
      }
      input.consume(length);
      ++acknowledged;
      ++next;

      // Space the messages out so the world's faults land between them.
      runtime::Timer pause(host);
      pause.expires_after(20s);
      co_await pause.async_wait(asio::use_awaitable);
    }
    host.events().record("demo.retry_later", {{"next", next}, {"error", ec.message()}});
    runtime::Timer backoff(host);
    backoff.expires_after(1min);
    co_await backoff.async_wait(asio::use_awaitable);
  }
}

}  // namespace

DemoResult run_demo(const DemoOptions& options) {
  sim::World world({.seed = options.seed});
  if (options.on_trace_line != nullptr) {
    world.trace().set_sink(
        [&](std::string_view line) { options.on_trace_line(line, options.context); });
  }

  // A source on the internet, a relay inside, 40 ms apart with some jitter and 1 MB/s.
  auto& source = world.add_node("source", "192.0.2.10");
  auto& relay = world.add_node("relay", "10.0.0.25");
  world.network().set_link("source", "relay",
                           {.latency = 40ms, .jitter = 5ms, .bytes_per_second = 1'000'000});

  DemoResult result;
  relay.boot([](runtime::Host& host) {
    auto process = std::make_shared<Relay>(host);
    process->start();
    return process;
  });
  source.boot([&](runtime::Host& host) {
    asio::co_spawn(host.executor(), send_all(host, result.messages_acknowledged),
                   asio::detached);
    return std::shared_ptr<void>();
  });

  // The faults: the relay crashes and comes back, then the link is cut for five minutes.
  world.at(sim::SimTime(30s), [&] { relay.crash(); });
  world.at(sim::SimTime(2min), [&] { relay.restart(); });
  world.at(sim::SimTime(4min), [&] { world.network().partition("source", "relay"); });
  world.at(sim::SimTime(9min), [&] { world.network().heal("source", "relay"); });

  world.run_until_idle(sim::SimTime(1h));

  auto stored = relay.disk().list(spool_folder);
  result.messages_on_disk = stored ? stored->size() : 0;
  result.trace_digest = world.trace().digest();
  result.trace_lines = world.trace().lines();
  result.virtual_seconds = std::chrono::duration<double>(world.now()).count();
  return result;
}

}  // namespace scenarios
