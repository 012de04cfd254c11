#include "sim/peers/peer_line_reader.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace peers {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr std::size_t read_area_bytes = 16 * 1024;
}  // namespace

PeerLineReader::PeerLineReader(runtime::Host& host, std::size_t line_octets_max)
    : host_(host), line_octets_max_(line_octets_max), read_area_(read_area_bytes, '\0') {}

asio::awaitable<PeerLine> PeerLineReader::read_line(runtime::ByteStream& stream,
                                                    runtime::Duration timeout) {
  const runtime::SteadyTime deadline = host_.clock().now() + timeout;
  runtime::Timer timer(host_);
  for (;;) {
    // A whole line buffered: hand it out.
    const std::size_t end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      PeerLine line{LineStatus::line, buffer_.substr(0, end)};
      buffer_.erase(0, end + 2);
      co_return line;
    }
    if (buffer_.size() > line_octets_max_) {
      co_return PeerLine{LineStatus::too_long, {}};
    }

    // Otherwise wait for more, until the deadline.
    timer.expires_at(deadline);
    constexpr auto token = asio::as_tuple(asio::use_awaitable);
    auto outcome = co_await (stream.async_read_some(asio::buffer(read_area_), token) ||
                             timer.async_wait(token));
    if (outcome.index() == 1) {
      co_return PeerLine{LineStatus::timed_out, {}};
    }
    auto [ec, count] = std::get<0>(outcome);
    buffer_.append(read_area_, 0, count);
    if (ec && count == 0) {
      co_return PeerLine{LineStatus::closed, {}};
    }
  }
}

}  // namespace peers
