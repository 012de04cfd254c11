// One HTTP/1.1 connection: requests are read with Boost.Beast's parser (bounded header and
// body), answered by Service::handle(), and written in the manner the reply asks for. Every
// wait is bounded: a watchdog closes the stream when a read or write takes too long.
#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "emulator_mock/service.hpp"

namespace emulator_mock {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::chrono::seconds handshake_timeout{10};
constexpr std::chrono::seconds request_timeout{60};  // from the previous answer to a request
constexpr std::chrono::seconds write_timeout{60};
constexpr std::uint32_t max_header_bytes = 16 * 1024;
constexpr int max_requests_per_connection = 1000;

// Closes `stream` if the timer expires first: a read or write on it then completes with
// an error, whatever the operation does with cancellation. Cancelled when destroyed.
class Watchdog {
 public:
  Watchdog(Service& service, runtime::ByteStream& stream, runtime::Duration limit)
      : timer_(service.host()), fired_(std::make_shared<bool>(false)) {
    timer_.expires_after(limit);
    timer_.async_wait([fired = fired_, target = &stream](runtime::error_code ec) {
      // The stream is only touched while the watchdog lives: the destructor cancels the
      // wait, so a late expiry arrives with an error and touches nothing.
      if (!ec && !*fired) {
        *fired = true;
        target->close();
      }
    });
  }
  ~Watchdog() {
    *fired_ = true;
    timer_.cancel();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  runtime::Timer timer_;
  std::shared_ptr<bool> fired_;
};

asio::awaitable<runtime::error_code> write_all(Service& service, runtime::ByteStream& stream,
                                               std::string_view bytes) {
  Watchdog watchdog(service, stream, write_timeout);
  runtime::error_code ec;
  co_await asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

// Waits the interval of a trickled body; false when stopped meanwhile.
asio::awaitable<bool> pause(Service& service, runtime::Duration interval) {
  runtime::Timer timer(service.host());
  Service::Enrolment enrolled(service, timer);
  timer.expires_after(interval);
  runtime::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec && !service.stopped();
}

// Holds the connection without answering until the client closes it or `limit` passes.
asio::awaitable<void> hang(Service& service, runtime::ByteStream& stream,
                           runtime::Duration limit) {
  Watchdog watchdog(service, stream, limit);
  std::array<char, 512> sink{};
  for (;;) {
    runtime::error_code ec;
    co_await stream.async_read_some(asio::buffer(sink),
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_return;
    }
  }
}

// Sends `reply` as it asks; true when the connection may carry another request.
asio::awaitable<bool> deliver(Service& service, runtime::ByteStream& stream, const Reply& reply,
                              bool keep_alive) {
  switch (reply.delivery) {
    case Reply::Delivery::whole: {
      const std::string bytes = reply_head(reply, keep_alive) + reply.body;
      const runtime::error_code ec = co_await write_all(service, stream, bytes);
      if (!ec && !keep_alive) {
        stream.shutdown_send();  // the client reads the end after the answer
      }
      co_return !ec && keep_alive;
    }
    case Reply::Delivery::hang:
      co_await hang(service, stream, reply.hang_for);
      co_return false;
    case Reply::Delivery::truncate: {
      // The promised length, half the body, and then the connection goes away.
      // TODO: the seam's streams have no abortive close, so the client sees an orderly end
      // of stream (FIN) after the partial body rather than a TCP reset; a client that treats
      // the two differently is not tested against a true reset.
      const std::string bytes =
          reply_head(reply, false) + reply.body.substr(0, reply.body.size() / 2);
      co_await write_all(service, stream, bytes);
      stream.close();
      co_return false;
    }
    case Reply::Delivery::trickle: {
      if (co_await write_all(service, stream, reply_head(reply, keep_alive))) {
        co_return false;
      }
      const std::size_t chunk = std::max<std::size_t>(reply.chunk_bytes, 1);
      for (std::size_t at = 0; at < reply.body.size(); at += chunk) {
        if (!co_await pause(service, reply.interval)) {
          co_return false;
        }
        const std::string_view piece = std::string_view(reply.body).substr(at, chunk);
        if (co_await write_all(service, stream, piece)) {
          co_return false;
        }
      }
      co_return keep_alive;
    }
  }
  co_return false;
}

}  // namespace

asio::awaitable<void> serve_connection(std::shared_ptr<Service> self, runtime::ByteStream stream) {
  Service& service = *self;
  Service::Enrolment enrolled(service, stream);

  // HTTPS: the handshake first, bounded in time.
  if (service.tls) {
    runtime::Timer deadline(service.host());
    Service::Enrolment deadline_enrolled(service, deadline);
    deadline.expires_after(handshake_timeout);
    auto outcome = co_await (
        runtime::async_tls_handshake(service.host(), std::move(stream), *service.tls,
                                     runtime::TlsRole::server, std::string(),
                                     asio::as_tuple(asio::use_awaitable)) ||
        deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() != 0 || std::get<0>(std::get<0>(outcome)) || service.stopped()) {
      service.host().events().record("emulator.tls_failed",
                                     {{"error", outcome.index() == 0
                                                    ? std::get<0>(std::get<0>(outcome)).message()
                                                    : std::string("timeout")}});
      co_return;
    }
    stream = std::move(std::get<1>(std::get<0>(outcome)));
  }

  boost::beast::flat_buffer buffer;
  for (int served = 0; served < max_requests_per_connection && !service.stopped(); ++served) {
    // Read one request, bounded in header size, body size and time.
    http::request_parser<http::string_body> parser;
    parser.header_limit(max_header_bytes);
    parser.body_limit(service.max_body_bytes());
    runtime::error_code ec;
    {
      Watchdog watchdog(service, stream, request_timeout);
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec == http::error::body_limit) {
      Reply too_large{.http_status = 413, .content_type = "text/plain",
                      .body = "request body too large\n"};
      co_await deliver(service, stream, too_large, false);
      break;
    }
    if (ec || service.stopped()) {
      break;  // closed, timed out or not HTTP: nothing sensible to answer
    }

    // Answer it.
    const auto& message = parser.get();
    HttpRequest request{std::string(message.method_string()), std::string(message.target()),
                        std::string(message[http::field::content_type]), message.body()};
    const bool keep_alive = message.keep_alive() && served + 1 < max_requests_per_connection;
    const Reply reply = service.handle(request);
    if (!co_await deliver(service, stream, reply, keep_alive)) {
      break;
    }
  }
  // Leaving closes the stream.
}

}  // namespace emulator_mock
