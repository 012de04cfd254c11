#include "runtime/real/real_network.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/compose.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "runtime/real/tcp_address.hpp"
#include "runtime/real/tcp_listener.hpp"
#include "runtime/real/tcp_stream.hpp"

namespace runtime {
namespace {

using asio::ip::tcp;

// One connect: resolve the name if there is one, then try each address in turn. Asio's
// resolver does not watch cancellation slots, so this operation cancels the resolver
// itself when asked, and checks once more after resolving in case the request came while
// the answer was already on its way.
class ConnectOperation {
 public:
  ConnectOperation(const asio::any_io_executor& executor, Endpoint address)
      : address_(std::move(address)), state_(std::make_unique<State>(executor)) {}

  // Starts: connects at once to an IP literal, resolves a name first.
  template <typename Self>
  void operator()(Self& self) {
    self.reset_cancellation_state(asio::enable_total_cancellation());
    if (auto literal = parse_ip_literal(address_.host)) {
      start_connect(self, std::vector<tcp::endpoint>{tcp::endpoint(*literal, address_.port)});
      return;
    }

    // Let a cancellation request reach the resolver, which Asio does not wire up itself.
    auto slot = self.get_cancellation_state().slot();
    if (slot.is_connected()) {
      slot.assign([resolver = &state_->resolver](asio::cancellation_type) { resolver->cancel(); });
    }
    state_->resolver.async_resolve(address_.host, std::to_string(address_.port),
                                   tcp::resolver::numeric_service, std::move(self));
  }

  // The name resolved (or failed to).
  template <typename Self>
  void operator()(Self& self, error_code ec, tcp::resolver::results_type results) {
    if (!ec && self.cancelled() != asio::cancellation_type::none) {
      ec = asio::error::operation_aborted;
    }
    if (ec == asio::error::host_not_found || (!ec && results.empty())) {
      ec = Error::unknown_host;
    }
    if (ec) {
      self.complete(ec, ByteStream());
      return;
    }

    // Try the addresses in the resolver's order of preference.
    std::vector<tcp::endpoint> endpoints;
    for (const auto& entry : results) {
      endpoints.push_back(entry.endpoint());
    }
    start_connect(self, std::move(endpoints));
  }

  // An address accepted, or every one failed (the error is the last address's).
  template <typename Self>
  void operator()(Self& self, error_code ec, const tcp::endpoint& /*connected*/) {
    if (ec) {
      self.complete(ec, ByteStream());
      return;
    }
    auto stream = std::make_unique<TcpStream>(std::move(state_->socket));
    self.complete(ec, ByteStream(std::move(stream)));
  }

 private:
  // Kept on the heap: pending operations refer to the resolver and socket, which must not
  // move while the operation object itself is moved from step to step.
  struct State {
    explicit State(const asio::any_io_executor& executor)
        : resolver(executor), socket(executor) {}
    tcp::resolver resolver;
    tcp::socket socket;
  };

  template <typename Self>
  void start_connect(Self& self, std::vector<tcp::endpoint> endpoints) {
    asio::async_connect(state_->socket, std::move(endpoints), std::move(self));
  }

  Endpoint address_;
  std::unique_ptr<State> state_;
};

}  // namespace

RealNetwork::RealNetwork(asio::any_io_executor executor) : executor_(std::move(executor)) {}

Result<Listener> RealNetwork::listen(const Endpoint& address) {
  auto listener = TcpListener::open(executor_, address);
  if (!listener) {
    return listener.error();
  }
  return Listener(std::move(*listener));
}

void RealNetwork::connect(const Endpoint& address, StreamHandler handler) {
  asio::async_compose<StreamHandler, void(error_code, ByteStream)>(
      ConnectOperation(executor_, address), handler, executor_);
}

}  // namespace runtime
