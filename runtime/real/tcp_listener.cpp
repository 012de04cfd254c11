#include "runtime/real/tcp_listener.hpp"

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>

#include "runtime/real/tcp_address.hpp"
#include "runtime/real/tcp_stream.hpp"

namespace runtime {
namespace {

using asio::ip::tcp;

// The addresses `address` stands for: itself if an IP literal, else what its name
// resolves to, in the resolver's order of preference.
Result<std::vector<tcp::endpoint>> listen_candidates(const asio::any_io_executor& executor,
                                                     const Endpoint& address) {
  if (auto literal = parse_ip_literal(address.host)) {
    return std::vector<tcp::endpoint>{tcp::endpoint(*literal, address.port)};
  }

  // Resolve the name; "no such host" is the seam's unknown_host in both worlds.
  tcp::resolver resolver(executor);
  error_code ec;
  auto results = resolver.resolve(address.host, std::to_string(address.port),
                                  tcp::resolver::numeric_service, ec);
  if (ec == asio::error::host_not_found || (!ec && results.empty())) {
    return Error::unknown_host;
  }
  if (ec) {
    return ec;
  }
  std::vector<tcp::endpoint> candidates;
  for (const auto& entry : results) {
    candidates.push_back(entry.endpoint());
  }
  return candidates;
}

// Opens, binds and starts listening on one endpoint.
error_code bind_and_listen(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) {
    return ec;
  }

  // Rebinding a port whose earlier connections linger in TIME_WAIT must work, or a
  // restarted gateway could not listen again for minutes. On Linux this still refuses a
  // second live listener on the same port.
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) {
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
  }
  return ec;
}

// One accept, turning the accepted socket into a byte stream. Written as a composed
// operation so that the caller's executor and cancellation slot reach the acceptor.
struct AcceptOperation {
  tcp::acceptor* acceptor;

  template <typename Self>
  void operator()(Self& self) {
    self.reset_cancellation_state(asio::enable_total_cancellation());
    acceptor->async_accept(std::move(self));
  }

  template <typename Self>
  void operator()(Self& self, error_code ec, tcp::socket socket) {
    if (ec) {
      self.complete(ec, ByteStream());
      return;
    }
    self.complete(ec, ByteStream(std::make_unique<TcpStream>(std::move(socket))));
  }
};

}  // namespace

Result<std::unique_ptr<TcpListener>> TcpListener::open(const asio::any_io_executor& executor,
                                                       const Endpoint& address) {
  auto candidates = listen_candidates(executor, address);
  if (!candidates) {
    return candidates.error();
  }

  // Listen on the first candidate that can be bound; report the last failure otherwise.
  error_code last_error(EADDRNOTAVAIL, boost::system::system_category());
  for (const tcp::endpoint& endpoint : *candidates) {
    tcp::acceptor acceptor(executor);
    last_error = bind_and_listen(acceptor, endpoint);
    if (last_error) {
      continue;
    }
    error_code ec;
    tcp::endpoint bound = acceptor.local_endpoint(ec);
    if (ec) {
      return ec;
    }
    return std::unique_ptr<TcpListener>(new TcpListener(std::move(acceptor), to_endpoint(bound)));
  }
  return last_error;
}

TcpListener::TcpListener(tcp::acceptor acceptor, Endpoint local)
    : acceptor_(std::move(acceptor)), local_(std::move(local)) {}

void TcpListener::accept(StreamHandler handler) {
  asio::async_compose<StreamHandler, void(error_code, ByteStream)>(
      AcceptOperation{&acceptor_}, handler, acceptor_);
}

void TcpListener::close() {
  error_code ignored;
  acceptor_.close(ignored);
}

}  // namespace runtime
