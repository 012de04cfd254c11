#include "gateway/delivery/client_connection.hpp"

#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "runtime/network.hpp"

namespace gateway {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

// One read takes at most this much; replies are short, and the parser bounds what a
// reply may hold.
constexpr std::size_t read_area_bytes = 4096;

constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

WaitOutcome timed_out() {
  WaitOutcome outcome;
  outcome.status = WaitStatus::timed_out;
  outcome.error = asio::error::timed_out;
  return outcome;
}

WaitOutcome closed(runtime::error_code error) {
  WaitOutcome outcome;
  outcome.status = WaitStatus::closed;
  outcome.error = error;
  return outcome;
}

WaitOutcome malformed(smtp::ReplyFault fault) {
  WaitOutcome outcome;
  outcome.status = WaitStatus::malformed;
  outcome.detail = smtp::fault_name(fault);
  return outcome;
}

WaitOutcome replied(smtp::Reply reply) {
  WaitOutcome outcome;
  outcome.reply = std::move(reply);
  return outcome;
}

}  // namespace

ClientConnection::ClientConnection(runtime::Host& host, runtime::ByteStream stream)
    : host_(host), stream_(std::move(stream)), timer_(host), read_area_(read_area_bytes, '\0') {
  parser_.emplace();
}

asio::awaitable<WaitOutcome> ClientConnection::connect(runtime::Host& host,
                                                       runtime::Endpoint address,
                                                       runtime::Duration timeout,
                                                       runtime::ByteStream& stream) {
  runtime::Timer timer(host);
  timer.expires_after(timeout);
  auto outcome = co_await (runtime::async_connect(host.network(), address, as_tuple_awaitable) ||
                           timer.async_wait(as_tuple_awaitable));
  if (outcome.index() == 1) {
    co_return timed_out();
  }
  auto [ec, connected] = std::move(std::get<0>(outcome));
  if (ec) {
    co_return closed(ec);
  }
  stream = std::move(connected);
  co_return WaitOutcome{};
}

asio::awaitable<WaitOutcome> ClientConnection::write(std::string_view bytes,
                                                     runtime::Duration timeout) {
  if (!stream_.is_open()) {
    co_return closed(asio::error::not_connected);
  }
  timer_.expires_after(timeout);
  auto outcome = co_await (asio::async_write(stream_, asio::buffer(bytes), as_tuple_awaitable) ||
                           timer_.async_wait(as_tuple_awaitable));
  if (outcome.index() == 1) {
    co_return timed_out();
  }
  auto [ec, written] = std::get<0>(outcome);
  if (ec) {
    co_return closed(ec);
  }
  co_return WaitOutcome{};
}

asio::awaitable<WaitOutcome> ClientConnection::fill(runtime::SteadyTime deadline) {
  if (!stream_.is_open()) {
    co_return closed(asio::error::not_connected);
  }
  timer_.expires_at(deadline);
  auto outcome = co_await (stream_.async_read_some(asio::buffer(read_area_), as_tuple_awaitable) ||
                           timer_.async_wait(as_tuple_awaitable));
  if (outcome.index() == 1) {
    co_return timed_out();
  }
  auto [ec, count] = std::get<0>(outcome);
  buffer_.append(read_area_, 0, count);
  if (ec && count == 0) {
    co_return closed(ec);
  }
  co_return WaitOutcome{};
}

asio::awaitable<WaitOutcome> ClientConnection::read_reply(runtime::Duration timeout) {
  const runtime::SteadyTime deadline = host_.clock().now() + timeout;
  for (;;) {
    // Whatever is buffered may already hold the reply (pipelined replies come together).
    const smtp::ReplyStep step = parser_->feed(buffer_);
    buffer_.erase(0, step.consumed_octets);
    if (step.status == smtp::ReplyStatus::complete) {
      co_return replied(parser_->take_reply());
    }
    if (step.status == smtp::ReplyStatus::malformed) {
      co_return malformed(parser_->fault());
    }

    // Otherwise wait for more bytes, until the deadline.
    WaitOutcome filled = co_await fill(deadline);
    if (!filled.ok()) {
      co_return filled;
    }
  }
}

asio::awaitable<WaitOutcome> ClientConnection::start_tls(runtime::TlsContext& context,
                                                         std::string peer_name,
                                                         runtime::Duration timeout) {
  // RFC 3207 4.2: bytes that arrived before the handshake are not part of the new session.
  buffer_.clear();
  parser_.emplace();
  if (!stream_.is_open()) {
    co_return closed(asio::error::not_connected);
  }

  timer_.expires_after(timeout);
  auto outcome = co_await (runtime::async_tls_handshake(host_, std::move(stream_), context,
                                                        runtime::TlsRole::client,
                                                        std::move(peer_name), as_tuple_awaitable) ||
                           timer_.async_wait(as_tuple_awaitable));
  if (outcome.index() == 1) {
    co_return timed_out();
  }
  auto [ec, secured] = std::move(std::get<0>(outcome));
  if (ec) {
    co_return closed(ec);
  }
  stream_ = std::move(secured);
  co_return WaitOutcome{};
}

std::optional<runtime::TlsDetails> ClientConnection::tls_details() const {
  if (!stream_.is_open()) {
    return std::nullopt;
  }
  return stream_.tls_details();
}

}  // namespace gateway
