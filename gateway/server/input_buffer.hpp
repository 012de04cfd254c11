// Bytes received from a client and not yet used. The session's parsers (commands, DATA)
// take what they need from the front; the buffer refills from the stream with a deadline.
// What is buffered beyond the current command is what the client pipelined (RFC 2920), or,
// at STARTTLS, plaintext that must be thrown away (RFC 3207 4.2).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "runtime/host.hpp"
#include "runtime/stream.hpp"

namespace gateway {

enum class FillStatus {
  ok,       // more bytes are buffered
  timeout,  // the deadline passed first
  closed,   // the peer closed or reset the connection
};

class InputBuffer {
 public:
  static constexpr std::size_t read_chunk_bytes = 16 * 1024;

  explicit InputBuffer(runtime::Host& host) : host_(host) {}

  std::string_view data() const { return std::string_view(buffer_).substr(begin_); }
  bool empty() const { return begin_ == buffer_.size(); }
  void consume(std::size_t count);
  void clear();

  // Waits until bytes arrive (appended to data()), the deadline passes or the peer goes.
  boost::asio::awaitable<FillStatus> fill(runtime::ByteStream& stream,
                                          runtime::SteadyTime deadline,
                                          runtime::error_code& error);

 private:
  runtime::Host& host_;
  std::string buffer_;
  std::size_t begin_ = 0;  // bytes before this were consumed
};

}  // namespace gateway
