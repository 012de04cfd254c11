#include "gateway/emulation/http_exchange.hpp"

#include <array>
#include <charconv>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "runtime/network.hpp"
#include "runtime/stream.hpp"
#include "runtime/tls.hpp"

namespace gateway::emulation {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace asio::experimental::awaitable_operators;

constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// How much of the file goes out per write.
constexpr std::size_t file_piece_bytes = 64 * 1024;

// Writes all of `bytes` before the deadline; false when the deadline or an error came first.
asio::awaitable<std::optional<ExchangeFailure>> write_all(runtime::Host& host,
                                                         runtime::ByteStream& stream,
                                                         std::string_view bytes,
                                                         runtime::SteadyTime deadline) {
  runtime::Timer timer(host);
  timer.expires_at(deadline);
  auto outcome = co_await (asio::async_write(stream, asio::buffer(bytes), as_tuple_awaitable) ||
                           timer.async_wait(as_tuple_awaitable));
  if (outcome.index() == 1) {
    co_return ExchangeFailure::timed_out;
  }
  auto [ec, written] = std::get<0>(outcome);
  (void)written;
  if (ec) {
    co_return ExchangeFailure::broken;
  }
  co_return std::nullopt;
}

std::string request_head(const BaseUrl& url, const HttpRequest& request) {
  const std::uint64_t length =
      request.body_head.size() + request.file_size_bytes + request.body_tail.size();
  return "POST " + url.path_prefix + request.path + " HTTP/1.1\r\n" +
         "Host: " + url.host_header + "\r\n" +
         "Content-Type: " + request.content_type + "\r\n" +
         "Content-Length: " + std::to_string(length) + "\r\n" +
         "Accept: application/json\r\n"
         "Connection: close\r\n\r\n";
}

// Sends the request: head, body head, the file in pieces, body tail.
asio::awaitable<std::optional<ExchangeFailure>> send_request(runtime::Host& host,
                                                            runtime::ByteStream& stream,
                                                            const BaseUrl& url,
                                                            const HttpRequest& request,
                                                            runtime::SteadyTime deadline) {
  const std::string head = request_head(url, request) + request.body_head;
  if (auto failed = co_await write_all(host, stream, head, deadline)) {
    co_return failed;
  }
  std::string piece(file_piece_bytes, '\0');
  std::uint64_t offset = 0;
  while (offset < request.file_size_bytes) {
    auto read = request.read_file(offset, std::span<char>(piece.data(), piece.size()));
    // The file is the gateway's own spool: one that cannot be read back is not the
    // service's fault, but the exchange cannot go on either.
    if (!read || *read == 0) {
      co_return ExchangeFailure::broken;
    }
    const std::size_t count =
        static_cast<std::size_t>(std::min<std::uint64_t>(*read, request.file_size_bytes - offset));
    if (auto failed =
            co_await write_all(host, stream, std::string_view(piece.data(), count), deadline)) {
      co_return failed;
    }
    offset += count;
  }
  co_return co_await write_all(host, stream, request.body_tail, deadline);
}

// Reads and parses the answer until it is complete, the connection ends or the deadline.
asio::awaitable<ExchangeOutcome> read_reply(runtime::Host& host, runtime::ByteStream& stream,
                                            runtime::SteadyTime deadline) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(reply_body_bytes_max);
  parser.eager(true);
  std::array<char, 4096> area{};
  std::string pending;  // bytes read but not yet taken by the parser
  runtime::Timer timer(host);
  for (;;) {
    timer.expires_at(deadline);
    auto outcome = co_await (stream.async_read_some(asio::buffer(area), as_tuple_awaitable) ||
                             timer.async_wait(as_tuple_awaitable));
    if (outcome.index() == 1) {
      co_return ExchangeFailure::timed_out;
    }
    auto [read_error, count] = std::get<0>(outcome);
    pending.append(area.data(), count);

    // Feed everything the parser takes; it keeps what it has consumed.
    boost::system::error_code parse_error;
    while (!pending.empty() && !parser.is_done()) {
      const std::size_t used = parser.put(asio::buffer(pending), parse_error);
      pending.erase(0, used);
      if (parse_error == http::error::need_more) {
        parse_error = {};
        break;
      }
      if (parse_error) {
        co_return ExchangeFailure::broken;
      }
    }
    if (read_error && !parser.is_done()) {
      // A body delimited by the end of the connection ends here; anything else broke.
      if (read_error == asio::error::eof && parser.got_some()) {
        parser.put_eof(parse_error);
        if (!parse_error && parser.is_done()) {
          break;
        }
      }
      co_return ExchangeFailure::broken;
    }
    if (parser.is_done()) {
      break;
    }
  }
  HttpReply reply;
  reply.status = parser.get().result_int();
  reply.body = std::move(parser.get().body());
  co_return reply;
}

}  // namespace

std::optional<BaseUrl> BaseUrl::parse(std::string_view text) {
  BaseUrl url;
  if (text.starts_with("https://")) {
    url.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    return std::nullopt;
  }

  // authority [/prefix]
  const auto slash = text.find('/');
  const std::string_view authority = text.substr(0, slash);
  if (slash != std::string_view::npos) {
    url.path_prefix = std::string(text.substr(slash));
    while (url.path_prefix.ends_with('/')) {
      url.path_prefix.pop_back();
    }
  }
  if (authority.empty()) {
    return std::nullopt;
  }
  url.host_header = std::string(authority);

  // host, [v6], optional :port
  const bool bracketed = authority.front() == '[';
  const auto host_end = bracketed ? authority.find(']') : authority.rfind(':');
  std::string_view host = authority.substr(0, host_end);
  std::string_view port_text;
  if (bracketed) {
    if (host_end == std::string_view::npos) {
      return std::nullopt;
    }
    host = authority.substr(1, host_end - 1);
    const std::string_view rest = authority.substr(host_end + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      return std::nullopt;
    }
    port_text = rest.empty() ? rest : rest.substr(1);
  } else if (host_end != std::string_view::npos) {
    port_text = authority.substr(host_end + 1);
  }
  url.endpoint.host = std::string(host);
  url.endpoint.port = url.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(),
                                           port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return std::nullopt;
    }
    url.endpoint.port = static_cast<std::uint16_t>(port);
  }
  if (url.endpoint.host.empty()) {
    return std::nullopt;
  }
  return url;
}

asio::awaitable<ExchangeOutcome> post(runtime::Host& host, const BaseUrl& url,
                                      runtime::TlsContext* tls, const HttpRequest& request,
                                      runtime::SteadyTime deadline) {
  // Connect, and for https:// secure the connection.
  runtime::Timer timer(host);
  timer.expires_at(deadline);
  auto connected =
      co_await (runtime::async_connect(host.network(), url.endpoint, as_tuple_awaitable) ||
                timer.async_wait(as_tuple_awaitable));
  // A connection that cannot be made in time is unreachable, like a refused one; only
  // the caller knows whether the file's own deadline has passed meanwhile.
  if (connected.index() == 1) {
    co_return ExchangeFailure::unreachable;
  }
  auto [connect_error, stream] = std::move(std::get<0>(connected));
  if (connect_error) {
    co_return ExchangeFailure::unreachable;
  }
  if (url.tls) {
    if (tls == nullptr) {
      co_return ExchangeFailure::unreachable;
    }
    timer.expires_at(deadline);
    auto secured = co_await (runtime::async_tls_handshake(host, std::move(stream), *tls,
                                                          runtime::TlsRole::client,
                                                          url.endpoint.host, as_tuple_awaitable) ||
                             timer.async_wait(as_tuple_awaitable));
    if (secured.index() == 1) {
      co_return ExchangeFailure::unreachable;
    }
    auto [tls_error, secure_stream] = std::move(std::get<0>(secured));
    if (tls_error) {
      co_return ExchangeFailure::unreachable;
    }
    stream = std::move(secure_stream);
  }

  // Send, then read the answer.
  if (auto failed = co_await send_request(host, stream, url, request, deadline)) {
    stream.close();
    co_return *failed;
  }
  ExchangeOutcome outcome = co_await read_reply(host, stream, deadline);
  stream.close();
  co_return outcome;
}

}  // namespace gateway::emulation
