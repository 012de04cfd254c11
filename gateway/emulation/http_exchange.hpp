// One HTTP/1.1 POST to the emulation service and its answer, over the seam's network,
// with TLS for https:// URLs. Each exchange opens its own connection and closes it after
// the answer ("Connection: close"), so that a hung or half-broken service costs one
// exchange, never a shared connection.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "runtime/endpoint.hpp"
#include "runtime/error.hpp"
#include "runtime/host.hpp"
#include "runtime/time.hpp"

namespace runtime {
class TlsContext;
}

namespace gateway::emulation {

// emulation.url taken apart: "https://te.example:8443/prefix".
struct BaseUrl {
  // Nothing when the text is not http:// or https:// with a host and an optional port.
  static std::optional<BaseUrl> parse(std::string_view text);

  bool tls = false;
  runtime::Endpoint endpoint;  // the port defaults to 80 or 443
  std::string host_header;     // as written in the URL ("te.example:8443")
  std::string path_prefix;     // without a trailing slash; empty for none
};

struct HttpRequest {
  std::string path;  // appended to the base URL's prefix
  std::string content_type;
  std::string body_head;
  // The file between head and tail, read in pieces as it is sent: `read(offset, buffer)`
  // returns the bytes read (0 only at the end). Absent: the body is head and tail only.
  std::uint64_t file_size_bytes = 0;
  std::function<runtime::Result<std::size_t>(std::uint64_t, std::span<char>)> read_file;
  std::string body_tail;
};

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

// Why an exchange brought no answer. The gateway's fail-mode reasons follow from these.
enum class ExchangeFailure {
  unreachable,  // the connection (or its TLS handshake) could not be made
  broken,       // the connection broke, or the answer was not HTTP, or was too large
  timed_out,    // the deadline passed first
};

using ExchangeOutcome = std::variant<HttpReply, ExchangeFailure>;

// Bounds an answer's body: TE-API answers are a few hundred bytes.
inline constexpr std::size_t reply_body_bytes_max = 64 * 1024;

// Posts `request` and reads the answer, all before `deadline`. `tls` is used for https://
// and must then be given.
boost::asio::awaitable<ExchangeOutcome> post(runtime::Host& host, const BaseUrl& url,
                                             runtime::TlsContext* tls, const HttpRequest& request,
                                             runtime::SteadyTime deadline);

}  // namespace gateway::emulation
