// Buffered line input for the simulated peers: lines end in CRLF only, so a bare CR or LF
// stays inside the line and the peer sees the bytes exactly as they were sent. Every read
// has a deadline; a line longer than the bound ends the reading, since a test peer has no
// reason to survive hostile input, only to notice it.
#pragma once

#include <cstddef>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "runtime/host.hpp"
#include "runtime/stream.hpp"

namespace peers {

enum class LineStatus {
  line,       // a whole line, without its CRLF
  timed_out,  // the deadline passed first
  closed,     // the connection ended or broke
  too_long,   // more than the bound arrived without a CRLF
};

struct PeerLine {
  LineStatus status = LineStatus::line;
  std::string text;
};

class PeerLineReader {
 public:
  PeerLineReader(runtime::Host& host, std::size_t line_octets_max);

  boost::asio::awaitable<PeerLine> read_line(runtime::ByteStream& stream,
                                             runtime::Duration timeout);

  // Forgets what was received and not yet read: at STARTTLS nothing sent before the
  // handshake may count after it (RFC 3207 4.2).
  void discard() { buffer_.clear(); }

 private:
  runtime::Host& host_;
  std::size_t line_octets_max_;
  std::string buffer_;
  std::string read_area_;
};

}  // namespace peers
