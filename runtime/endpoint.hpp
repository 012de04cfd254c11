// A network address as configs spell it: host:port or [v6]:port. There is no name
// resolution in the simulated world, so the host is kept as written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/error.hpp"

namespace runtime {

struct Endpoint {
  std::string host;  // an IPv4 literal, an IPv6 literal without brackets, or a name
  std::uint16_t port = 0;

  // Parses "host:port" or "[v6]:port". Errors: Error::bad_endpoint.
  static Result<Endpoint> parse(std::string_view text);

  // Formats back to the form parse() accepts ("[::1]:25" for IPv6).
  std::string to_string() const;

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

}  // namespace runtime
