// One connection of the gateway's SMTP client to a next hop: writes and reply reads, each
// with its own deadline, and the switch to TLS. Every wait races a timer, so a next hop
// that stops answering costs at most the timeout the caller passes.
//
// Replies are read with smtp::ReplyParser. Bytes after a complete reply stay buffered for
// the next read, as pipelined replies arrive together (RFC 2920); start_tls() throws them
// away, because nothing received before the TLS handshake may count after it (RFC 3207
// 4.2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "gateway/smtp/reply.hpp"
#include "gateway/smtp/reply_parser.hpp"
#include "runtime/endpoint.hpp"
#include "runtime/host.hpp"
#include "runtime/stream.hpp"
#include "runtime/tls.hpp"

namespace gateway {

enum class WaitStatus {
  ok,
  timed_out,  // the deadline passed first
  closed,     // the connection failed or the peer closed it; see the error
  malformed,  // the peer's reply broke the SMTP grammar; see the detail
};

struct WaitOutcome {
  WaitStatus status = WaitStatus::ok;
  runtime::error_code error;
  std::string detail;  // the reply fault's name, for malformed
  smtp::Reply reply;   // read_reply() only, when ok

  bool ok() const { return status == WaitStatus::ok; }
};

class ClientConnection {
 public:
  ClientConnection(runtime::Host& host, runtime::ByteStream stream);
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Opens a connection to `address`, giving up after `timeout` (status timed_out). Errors
  // with status closed: the network's (connection_refused, host_unreachable, timed_out,
  // unknown_host). On success `stream` holds the connection.
  static boost::asio::awaitable<WaitOutcome> connect(runtime::Host& host, runtime::Endpoint address,
                                                     runtime::Duration timeout,
                                                     runtime::ByteStream& stream);

  // Writes all of `bytes`.
  boost::asio::awaitable<WaitOutcome> write(std::string_view bytes, runtime::Duration timeout);

  // Reads the next complete reply, multi-line replies whole.
  boost::asio::awaitable<WaitOutcome> read_reply(runtime::Duration timeout);

  // Runs the client side of a TLS handshake over the connection. What was buffered is
  // discarded first. On failure the connection is closed (the TLS layer closes it) and
  // the outcome is closed, with the handshake's error (a tls_verify_category() error when
  // the certificate was refused).
  boost::asio::awaitable<WaitOutcome> start_tls(runtime::TlsContext& context, std::string peer_name,
                                                runtime::Duration timeout);

  bool is_open() const { return stream_.is_open(); }
  bool is_tls() const { return stream_.is_open() && stream_.is_tls(); }
  std::optional<runtime::TlsDetails> tls_details() const;

  void close() { stream_.close(); }

 private:
  // Reads more bytes into the buffer.
  boost::asio::awaitable<WaitOutcome> fill(runtime::SteadyTime deadline);

  runtime::Host& host_;
  runtime::ByteStream stream_;
  runtime::Timer timer_;
  std::optional<smtp::ReplyParser> parser_;
  std::string buffer_;     // received bytes not yet given to the parser
  std::string read_area_;  // where one read lands
};

}  // namespace gateway
