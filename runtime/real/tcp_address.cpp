#include "runtime/real/tcp_address.hpp"

namespace runtime {

Endpoint to_endpoint(const asio::ip::tcp::endpoint& endpoint) {
  asio::ip::address address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return Endpoint{address.to_string(), endpoint.port()};
}

std::optional<asio::ip::address> parse_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) {
    return std::nullopt;
  }
  return address;
}

}  // namespace runtime
