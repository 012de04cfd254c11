// A listening TCP socket. Listening is a startup step, so the address is resolved
// synchronously here; accepting is asynchronous and yields byte streams over TcpStream.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "runtime/network.hpp"

namespace runtime {

class TcpListener final : public ListenerImpl {
 public:
  // Binds `address` and listens. The host is an IP literal ("0.0.0.0" and "::" listen on
  // every interface) or a name resolved now, such as "localhost"; a name listens on the
  // first of its addresses that can be bound. Port 0 lets the system choose a free port.
  // Errors: address_in_use, EADDRNOTAVAIL (an address this machine does not have),
  // Error::unknown_host (a name that does not resolve), and the resolver's and socket's
  // other errors as Asio reports them.
  static Result<std::unique_ptr<TcpListener>> open(const asio::any_io_executor& executor,
                                                   const Endpoint& address);

  // Completes with the next connection. Honours the handler's cancellation slot; close()
  // or destroying the listener completes it with operation_aborted.
  void accept(StreamHandler handler) override;

  void close() override;

  // The address actually bound, kept after close() for logs.
  Endpoint local_endpoint() const override { return local_; }

 private:
  TcpListener(asio::ip::tcp::acceptor acceptor, Endpoint local);

  asio::ip::tcp::acceptor acceptor_;
  Endpoint local_;
};

}  // namespace runtime
