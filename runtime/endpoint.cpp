#include "runtime/endpoint.hpp"

#include <charconv>

namespace runtime {

Result<Endpoint> Endpoint::parse(std::string_view text) {
  std::string_view host;
  std::string_view port;

  // An IPv6 literal is bracketed so that its colons are not read as the port separator.
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error::bad_endpoint;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Error::bad_endpoint;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Error::bad_endpoint;  // an unbracketed IPv6 literal is ambiguous
    }
  }
  if (host.empty() || port.empty()) {
    return Error::bad_endpoint;
  }

  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
    return Error::bad_endpoint;
  }
  return Endpoint{std::string(host), static_cast<std::uint16_t>(value)};
}

std::string Endpoint::to_string() const {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

}  // namespace runtime
