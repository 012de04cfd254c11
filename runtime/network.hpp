// Listening and connecting. The real world uses TCP sockets; the simulated world uses
// in-memory connections between named nodes. Hosts are IP literals in both (a real
// listener or connect may also take a name that resolves locally, such as "localhost").
#pragma once

#include <memory>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include "runtime/endpoint.hpp"
#include "runtime/error.hpp"
#include "runtime/stream.hpp"

namespace runtime {

namespace asio = boost::asio;

using StreamHandler = asio::any_completion_handler<void(error_code, ByteStream)>;

// A listening socket. At most one accept is outstanding; it honours its handler's
// cancellation slot. close() stops listening and aborts a pending accept.
class ListenerImpl {
 public:
  virtual ~ListenerImpl() = default;
  virtual void accept(StreamHandler handler) = 0;
  virtual void close() = 0;
  // The bound address; with port 0 asked for, the port actually chosen.
  virtual Endpoint local_endpoint() const = 0;
};

class Listener {
 public:
  Listener() = default;
  explicit Listener(std::unique_ptr<ListenerImpl> impl) : impl_(std::move(impl)) {}
  Listener(Listener&&) noexcept = default;
  Listener& operator=(Listener&&) noexcept = default;
  ~Listener() {
    if (impl_) {
      impl_->close();
    }
  }

  // Completes with (error, stream). Errors: operation_aborted after close or cancellation.
  template <typename Token>
  auto async_accept(Token&& token) {
    return asio::async_initiate<Token, void(error_code, ByteStream)>(
        [](auto handler, ListenerImpl* impl) { impl->accept(StreamHandler(std::move(handler))); },
        token, impl_.get());
  }

  void close() {
    if (impl_) {
      impl_->close();
    }
  }
  Endpoint local_endpoint() const { return impl_->local_endpoint(); }

 private:
  std::unique_ptr<ListenerImpl> impl_;
};

class Network {
 public:
  virtual ~Network() = default;

  // Starts listening. Errors: Error::address_in_use (or EADDRINUSE), EADDRNOTAVAIL,
  // Error::bad_endpoint.
  virtual Result<Listener> listen(const Endpoint& address) = 0;

  // Connects; honours the handler's cancellation slot. Errors: connection_refused,
  // timed_out, host_unreachable, Error::unknown_host.
  virtual void connect(const Endpoint& address, StreamHandler handler) = 0;
};

template <typename Token>
auto async_connect(Network& network, const Endpoint& address, Token&& token) {
  return asio::async_initiate<Token, void(error_code, ByteStream)>(
      [](auto handler, Network* net, const Endpoint& to) {
        net->connect(to, StreamHandler(std::move(handler)));
      },
      token, &network, address);
}

}  // namespace runtime
