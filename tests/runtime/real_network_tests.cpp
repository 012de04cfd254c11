// The real world behind the seam: TCP on loopback, Asio timers, and the host that hands
// them out. Every test runs its body as a coroutine under an overall time limit, so a
// broken cancellation or a lost completion fails the test instead of hanging it.
#include <array>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include "runtime/real/posix_storage.hpp"
#include "runtime/real/real_host.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using runtime::ByteStream;
using runtime::Endpoint;
using runtime::error_code;
using runtime::Host;
using runtime::Listener;

// Far longer than any test needs on loopback, short enough to fail fast when one hangs.
constexpr auto test_limit = 10s;

// Remembers the names of the events it was given.
class RecordingSink final : public runtime::EventSink {
 public:
  using runtime::EventSink::record;
  void record(std::string_view event, std::span<const runtime::Field>) override {
    names.emplace_back(event);
  }
  std::vector<std::string> names;
};

// One real host on its own io_context.
struct RealWorld {
  asio::io_context io;
  runtime::PosixStorage storage;  // handed to the host, never used here
  RecordingSink sink;
  runtime::RealHost host{runtime::RealHostOptions{
      .name = "test", .seed = 7, .io = io, .storage = storage, .events = &sink}};

  // Runs `body` to its end; fails the test if it takes longer than test_limit, and
  // rethrows what the body threw.
  void run(asio::awaitable<void> body) {
    bool finished = false;
    std::exception_ptr thrown;

    // The overall limit stops the loop, abandoning whatever still waits.
    asio::steady_timer limit(io, test_limit);
    limit.async_wait([this](error_code ec) {
      if (!ec) {
        io.stop();
      }
    });

    // Run the body; its end cancels the limit, which lets the loop run dry.
    asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) {
      finished = true;
      thrown = e;
      limit.cancel();
    });
    io.run();
    BOOST_REQUIRE_MESSAGE(finished, "the test did not finish within its time limit");
    if (thrown) {
      std::rethrow_exception(thrown);
    }
  }
};

// Seconds as a double, for messages.
double seconds(std::chrono::steady_clock::duration elapsed) {
  return std::chrono::duration<double>(elapsed).count();
}

// `size` bytes repeating with a period of 23, which divides no buffer size, so that a
// chunk delivered twice or out of place changes the text.
std::string pattern(std::size_t size) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    text[i] = static_cast<char>('a' + i % 23);
  }
  return text;
}

// Accepts one connection on `listener` and connects to it: the two ends of one stream.
asio::awaitable<std::tuple<ByteStream, ByteStream>> connected_pair(Host& host,
                                                                   Listener& listener) {
  auto [accepted, connected] = co_await (
      listener.async_accept(asio::use_awaitable) &&
      runtime::async_connect(host.network(), listener.local_endpoint(), asio::use_awaitable));
  co_return std::tuple<ByteStream, ByteStream>(std::move(accepted), std::move(connected));
}

// Reads `size` bytes from the next connection and writes them back.
asio::awaitable<void> echo_once(Listener& listener, std::size_t size) {
  ByteStream stream = co_await listener.async_accept(asio::use_awaitable);
  std::string data(size, '\0');
  co_await asio::async_read(stream, asio::buffer(data), asio::use_awaitable);
  co_await asio::async_write(stream, asio::buffer(data), asio::use_awaitable);
}

// Sends `payload` to `to` and checks that the same bytes come back.
asio::awaitable<void> expect_echo(Host& host, Endpoint to, std::string payload) {
  ByteStream stream = co_await runtime::async_connect(host.network(), to, asio::use_awaitable);
  BOOST_TEST(stream.remote_endpoint().to_string() == to.to_string());
  BOOST_TEST(stream.local_endpoint().host == to.host);
  BOOST_TEST(!stream.is_tls());

  co_await asio::async_write(stream, asio::buffer(payload), asio::use_awaitable);
  std::string echoed(payload.size(), '\0');
  co_await asio::async_read(stream, asio::buffer(echoed), asio::use_awaitable);
  BOOST_TEST((echoed == payload));
}

// Listens on `ip` port 0 and echoes a payload large enough to need many partial reads
// and writes.
asio::awaitable<void> echo_round_trip(Host& host, std::string ip) {
  constexpr std::size_t payload_size = 256 * 1024;
  auto listening = host.network().listen(Endpoint{ip, 0});
  if (!listening && ip.find(':') != std::string::npos) {
    BOOST_TEST_MESSAGE("skipped: cannot listen on " << ip << ": "
                                                    << listening.error().message());
    co_return;
  }
  BOOST_REQUIRE(listening);
  Listener listener = std::move(*listening);

  co_await (echo_once(listener, payload_size) &&
            expect_echo(host, listener.local_endpoint(), pattern(payload_size)));
}

asio::awaitable<void> listen_on_port_zero(Host& host) {
  Listener listener = host.network().listen(Endpoint{"127.0.0.1", 0}).value();
  const Endpoint bound = listener.local_endpoint();
  BOOST_TEST(bound.host == "127.0.0.1");
  BOOST_TEST(bound.port != 0);

  // The reported port is the real one: a connection to it reaches this listener.
  auto [accepted, connected] = co_await connected_pair(host, listener);
  BOOST_TEST(connected.remote_endpoint().to_string() == bound.to_string());
  BOOST_TEST(accepted.local_endpoint().to_string() == bound.to_string());
  BOOST_TEST(accepted.remote_endpoint().to_string() ==
             connected.local_endpoint().to_string());
}

asio::awaitable<void> connect_to_closed_port(Host& host) {
  // A port that was free a moment ago and has no listener now.
  Endpoint closed = host.network().listen(Endpoint{"127.0.0.1", 0}).value().local_endpoint();

  auto [ec, stream] = co_await runtime::async_connect(host.network(), closed,
                                                      asio::as_tuple(asio::use_awaitable));
  BOOST_TEST(ec == asio::error::connection_refused, ec.message());
  BOOST_TEST(!stream.is_open());
}

asio::awaitable<void> half_close(Host& host) {
  Listener listener = host.network().listen(Endpoint{"127.0.0.1", 0}).value();
  auto [server, client] = co_await connected_pair(host, listener);

  // The client says its piece and stops sending.
  co_await asio::async_write(client, asio::buffer(std::string_view("hello")),
                             asio::use_awaitable);
  client.shutdown_send();

  // The server reads everything up to end of stream.
  std::string received;
  auto [read_ec, read_size] = co_await asio::async_read(
      server, asio::dynamic_buffer(received), asio::as_tuple(asio::use_awaitable));
  BOOST_TEST(read_ec == asio::error::eof, read_ec.message());
  BOOST_TEST(read_size == 5u);
  BOOST_TEST(received == "hello");

  // The server can still answer, and the client, still reading, gets it all.
  co_await asio::async_write(server, asio::buffer(std::string_view("bye")),
                             asio::use_awaitable);
  server.shutdown_send();
  std::string answer;
  auto [answer_ec, answer_size] = co_await asio::async_read(
      client, asio::dynamic_buffer(answer), asio::as_tuple(asio::use_awaitable));
  BOOST_TEST(answer_ec == asio::error::eof, answer_ec.message());
  BOOST_TEST(answer_size == 3u);
  BOOST_TEST(answer == "bye");
}

asio::awaitable<void> read_loses_race_to_timer(Host& host) {
  Listener listener = host.network().listen(Endpoint{"127.0.0.1", 0}).value();
  auto [server, client] = co_await connected_pair(host, listener);

  // Nothing is sent, so only the timer can win; the read must then be cancelled, or the
  // race would wait for it forever.
  runtime::Timer timer(host);
  timer.expires_after(20ms);
  std::array<char, 16> buffer{};
  const auto start = host.clock().now();
  auto winner = co_await (client.async_read_some(asio::buffer(buffer), asio::use_awaitable) ||
                          timer.async_wait(asio::use_awaitable));
  const auto elapsed = host.clock().now() - start;
  BOOST_TEST(winner.index() == 1u);
  BOOST_TEST((elapsed >= 20ms), "the race took " << seconds(elapsed) << " s");
  BOOST_TEST((elapsed < 5s), "the race took " << seconds(elapsed) << " s");

  // The stream survives the cancelled read: later bytes still arrive.
  co_await asio::async_write(server, asio::buffer(std::string_view("ping")),
                             asio::use_awaitable);
  std::size_t size = co_await asio::async_read(client, asio::buffer(buffer.data(), 4),
                                               asio::use_awaitable);
  BOOST_TEST(std::string_view(buffer.data(), size) == "ping");
}

asio::awaitable<void> timer_fires(Host& host) {
  runtime::Timer timer(host);
  timer.expires_after(10ms);
  const auto start = host.clock().now();
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  const auto elapsed = host.clock().now() - start;
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST((elapsed >= 10ms), "the wait took " << seconds(elapsed) << " s");
}

asio::awaitable<void> cancelled_timer(Host& host) {
  runtime::Timer timer(host);
  timer.expires_after(1h);

  // The cancel runs once this coroutine waits on the timer.
  asio::post(host.executor(), [&timer] { timer.cancel(); });
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
}

asio::awaitable<void> timer_cancelled_through_its_slot(Host& host) {
  runtime::Timer slow(host);
  runtime::Timer fast(host);
  slow.expires_after(1h);
  fast.expires_after(1ms);
  auto winner = co_await (slow.async_wait(asio::use_awaitable) ||
                          fast.async_wait(asio::use_awaitable));
  BOOST_TEST(winner.index() == 1u);
}

asio::awaitable<void> listen_twice(Host& host) {
  Listener first = host.network().listen(Endpoint{"127.0.0.1", 0}).value();
  auto second = host.network().listen(first.local_endpoint());
  BOOST_REQUIRE(!second);
  BOOST_TEST(second.error() == asio::error::address_in_use, second.error().message());
  co_return;
}

asio::awaitable<void> expect_echo_by_name(Host& host, std::uint16_t port) {
  // A named endpoint: g++ 12 mishandles a braced temporary inside a co_await expression.
  const Endpoint to{"localhost", port};
  ByteStream stream = co_await runtime::async_connect(host.network(), to, asio::use_awaitable);
  co_await asio::async_write(stream, asio::buffer(std::string_view("hello")),
                             asio::use_awaitable);
  std::string echoed(5, '\0');
  co_await asio::async_read(stream, asio::buffer(echoed), asio::use_awaitable);
  BOOST_TEST(echoed == "hello");
}

asio::awaitable<void> localhost_by_name(Host& host) {
  Listener listener = host.network().listen(Endpoint{"localhost", 0}).value();
  const Endpoint bound = listener.local_endpoint();
  BOOST_TEST((bound.host == "127.0.0.1" || bound.host == "::1"), bound.host);

  // Connecting by name tries each address of "localhost" until the listener's answers.
  co_await (echo_once(listener, 5) && expect_echo_by_name(host, bound.port));
}

asio::awaitable<void> close_aborts_accept(Host& host) {
  Listener listener = host.network().listen(Endpoint{"127.0.0.1", 0}).value();

  // The close runs once this coroutine waits for a connection.
  asio::post(host.executor(), [&listener] { listener.close(); });
  auto [ec, stream] = co_await listener.async_accept(asio::as_tuple(asio::use_awaitable));
  BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
  BOOST_TEST(!stream.is_open());
}

asio::awaitable<void> connect_cancelled_while_resolving(Host& host) {
  Listener listener = host.network().listen(Endpoint{"localhost", 0}).value();
  asio::cancellation_signal signal;

  // The request runs once the connect has started resolving, ahead of the answer, which
  // the resolver can only queue behind it.
  asio::post(host.executor(), [&signal] { signal.emit(asio::cancellation_type::terminal); });
  const Endpoint to{"localhost", listener.local_endpoint().port};
  auto [ec, stream] = co_await runtime::async_connect(
      host.network(), to,
      asio::bind_cancellation_slot(signal.slot(), asio::as_tuple(asio::use_awaitable)));
  BOOST_TEST(ec == asio::error::operation_aborted, ec.message());
  BOOST_TEST(!stream.is_open());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(real_network)

BOOST_AUTO_TEST_CASE(echo_round_trip_over_ipv4_loopback_returns_every_byte) {
  RealWorld world;
  world.run(echo_round_trip(world.host, "127.0.0.1"));
}

BOOST_AUTO_TEST_CASE(echo_round_trip_over_ipv6_loopback_returns_every_byte) {
  RealWorld world;
  world.run(echo_round_trip(world.host, "::1"));
}

BOOST_AUTO_TEST_CASE(listening_on_port_zero_reports_the_chosen_port) {
  RealWorld world;
  world.run(listen_on_port_zero(world.host));
}

BOOST_AUTO_TEST_CASE(connecting_to_a_closed_port_is_refused) {
  RealWorld world;
  world.run(connect_to_closed_port(world.host));
}

BOOST_AUTO_TEST_CASE(half_close_lets_the_peer_read_eof_and_still_answer) {
  RealWorld world;
  world.run(half_close(world.host));
}

BOOST_AUTO_TEST_CASE(pending_read_is_cancelled_when_a_timer_wins_the_race) {
  RealWorld world;
  world.run(read_loses_race_to_timer(world.host));
}

BOOST_AUTO_TEST_CASE(timer_fires_after_its_delay) {
  RealWorld world;
  world.run(timer_fires(world.host));
}

BOOST_AUTO_TEST_CASE(cancelled_timer_reports_operation_aborted) {
  RealWorld world;
  world.run(cancelled_timer(world.host));
}

BOOST_AUTO_TEST_CASE(timer_wait_is_cancelled_through_its_cancellation_slot) {
  RealWorld world;
  world.run(timer_cancelled_through_its_slot(world.host));
}

BOOST_AUTO_TEST_CASE(listening_twice_on_one_port_fails_with_address_in_use) {
  RealWorld world;
  world.run(listen_twice(world.host));
}

BOOST_AUTO_TEST_CASE(localhost_by_name_works_for_listen_and_connect) {
  RealWorld world;
  world.run(localhost_by_name(world.host));
}

BOOST_AUTO_TEST_CASE(closing_a_listener_aborts_its_pending_accept) {
  RealWorld world;
  world.run(close_aborts_accept(world.host));
}

BOOST_AUTO_TEST_CASE(connect_cancelled_while_resolving_reports_operation_aborted) {
  RealWorld world;
  world.run(connect_cancelled_while_resolving(world.host));
}

BOOST_AUTO_TEST_CASE(host_derives_generators_from_its_seed_and_name) {
  RealWorld world;
  auto queue = world.host.random("queue");
  auto expected = runtime::Random::derive(7, "test/queue");
  BOOST_TEST(queue.next() == expected.next());
  BOOST_TEST(world.host.random("queue").next() != world.host.random("boundary").next());
}

BOOST_AUTO_TEST_CASE(host_sends_events_to_the_sink_it_was_given) {
  RealWorld world;
  world.host.events().record("smtp.command", {{"verb", "EHLO"}});
  BOOST_TEST(world.sink.names == std::vector<std::string>{"smtp.command"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(host_without_a_sink_discards_events) {
  asio::io_context io;
  runtime::PosixStorage storage;
  runtime::RealHost host(runtime::RealHostOptions{.name = "quiet", .seed = 1, .io = io,
                                                  .storage = storage});
  host.events().record("smtp.command", {{"verb", "EHLO"}});
  BOOST_TEST(host.name() == "quiet");
  BOOST_TEST(&host.storage() == &storage);
  BOOST_TEST((host.executor() == asio::any_io_executor(io.get_executor())));
}

BOOST_AUTO_TEST_CASE(entropy_seeds_differ_between_draws) {
  // Two equal draws of 64 random bits would happen about once in 2^64 runs.
  BOOST_TEST(runtime::seed_from_entropy() != runtime::seed_from_entropy());
}

BOOST_AUTO_TEST_SUITE_END()
