// The real world's network: TCP over the machine's interfaces. Listening resolves names
// synchronously (a startup step); connecting resolves them asynchronously and tries each
// address in turn.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "runtime/network.hpp"

namespace runtime {

class RealNetwork final : public Network {
 public:
  // Listeners, connections and their streams run on `executor`.
  explicit RealNetwork(asio::any_io_executor executor);

  // See TcpListener::open for the address forms and errors.
  Result<Listener> listen(const Endpoint& address) override;

  // Connects to an IP literal directly, or resolves a name and tries each of its addresses
  // until one accepts. Honours the handler's cancellation slot in every step, resolution
  // included. Errors as the socket reports them (connection_refused, timed_out,
  // host_unreachable, network_unreachable...), operation_aborted when cancelled, and
  // Error::unknown_host for a name that does not resolve.
  void connect(const Endpoint& address, StreamHandler handler) override;

 private:
  asio::any_io_executor executor_;
};

}  // namespace runtime
