#include "gateway/server/input_buffer.hpp"

#include <cassert>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gateway {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

void InputBuffer::consume(std::size_t count) {
  assert(begin_ + count <= buffer_.size());
  begin_ += count;
  if (begin_ == buffer_.size()) {
    clear();
  }
}

void InputBuffer::clear() {
  buffer_.clear();
  begin_ = 0;
}

asio::awaitable<FillStatus> InputBuffer::fill(runtime::ByteStream& stream,
                                              runtime::SteadyTime deadline,
                                              runtime::error_code& error) {
  // Drop what was consumed so the buffer holds only unread bytes plus one chunk.
  buffer_.erase(0, begin_);
  begin_ = 0;
  const std::size_t old_size = buffer_.size();
  buffer_.resize(old_size + read_chunk_bytes);

  runtime::Timer timer(host_);
  timer.expires_at(deadline);
  auto outcome = co_await (
      stream.async_read_some(asio::buffer(buffer_.data() + old_size, read_chunk_bytes),
                             asio::as_tuple(asio::use_awaitable)) ||
      timer.async_wait(asio::as_tuple(asio::use_awaitable)));

  if (outcome.index() == 1) {
    buffer_.resize(old_size);
    co_return FillStatus::timeout;
  }
  auto [ec, count] = std::get<0>(outcome);
  buffer_.resize(old_size + count);
  if (count == 0) {
    error = ec;
    co_return FillStatus::closed;
  }
  co_return FillStatus::ok;
}

}  // namespace gateway
