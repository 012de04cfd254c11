// A byte stream over a connected TCP socket. Asio's socket already keeps every rule of the
// seam's streams (completion through the handler's executor, per-operation cancellation,
// zero-length operations completing at once, eof after the peer's shutdown), so reads and
// writes hand their handlers straight to it.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "runtime/stream.hpp"

namespace runtime {

class TcpStream final : public StreamImpl {
 public:
  explicit TcpStream(asio::ip::tcp::socket socket);

  asio::any_io_executor executor() const override;

  // Errors as the socket reports them: eof, connection_reset, broken_pipe,
  // operation_aborted (cancelled or closed).
  void read_some(asio::mutable_buffer buffer, IoHandler handler) override;
  void write_some(asio::const_buffer buffer, IoHandler handler) override;

  // Sends a FIN after what was written. A failure (the peer already reset the connection)
  // is ignored: the next read or write reports it.
  void shutdown_send() override;

  // Aborts pending operations and releases the socket. Errors are ignored: closing is
  // what every error path does last.
  void close() override;

  // An empty endpoint once the socket is closed.
  Endpoint local_endpoint() const override;
  Endpoint remote_endpoint() const override;

 private:
  // A copy of the socket's executor: the socket's own accessor is not const.
  asio::any_io_executor executor_;
  asio::ip::tcp::socket socket_;
};

}  // namespace runtime
