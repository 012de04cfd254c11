#include "gateway/observability/metrics_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace gateway {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

std::string response(std::string_view status, std::string_view content_type,
                     std::string_view body) {
  std::string text = "HTTP/1.1 ";
  text += status;
  text += "\r\nContent-Type: ";
  text += content_type;
  text += "\r\nContent-Length: " + std::to_string(body.size());
  text += "\r\nConnection: close\r\n\r\n";
  text += body;
  return text;
}

}  // namespace

std::string answer_metrics_request(std::string_view request, const std::string& metrics) {
  // Request line: METHOD SP TARGET SP HTTP/x.y
  const auto line_end = request.find("\r\n");
  const std::string_view line = request.substr(0, line_end);
  const auto first_space = line.find(' ');
  const auto second_space = line.find(' ', first_space + 1);
  if (line_end == std::string_view::npos || first_space == std::string_view::npos ||
      second_space == std::string_view::npos ||
      !line.substr(second_space + 1).starts_with("HTTP/")) {
    return response("400 Bad Request", "text/plain", "bad request\n");
  }
  const std::string_view method = line.substr(0, first_space);
  std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  target = target.substr(0, target.find('?'));

  if (method != "GET" && method != "HEAD") {
    return response("405 Method Not Allowed", "text/plain", "only GET\n");
  }
  if (target != "/metrics") {
    return response("404 Not Found", "text/plain", "try /metrics\n");
  }
  std::string answer = response("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics);
  if (method == "HEAD") {
    answer.resize(answer.find("\r\n\r\n") + 4);
  }
  return answer;
}

MetricsServer::MetricsServer(runtime::Host& host, Render render)
    : host_(host), render_(std::move(render)), alive_(std::make_shared<bool>(true)) {}

MetricsServer::~MetricsServer() {
  *alive_ = false;
  stop();
}

runtime::error_code MetricsServer::start(const runtime::Endpoint& address) {
  auto listener = host_.network().listen(address);
  if (!listener) {
    return listener.error();
  }
  listener_ = std::move(*listener);
  asio::co_spawn(host_.executor(), accept_loop(), asio::detached);
  return {};
}

void MetricsServer::stop() {
  listener_.close();
}

runtime::Endpoint MetricsServer::local_endpoint() const {
  return listener_.local_endpoint();
}

asio::awaitable<void> MetricsServer::accept_loop() {
  auto alive = alive_;
  for (;;) {
    runtime::error_code ec;
    runtime::ByteStream stream =
        co_await listener_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !*alive) {
      co_return;
    }
    asio::co_spawn(host_.executor(), serve(std::move(stream)), asio::detached);
  }
}

asio::awaitable<void> MetricsServer::serve(runtime::ByteStream stream) {
  auto alive = alive_;

  // Read the request head, bounded in bytes and in time.
  std::string request;
  auto buffer = asio::dynamic_buffer(request, max_request_bytes);
  runtime::Timer deadline(host_);
  deadline.expires_after(request_timeout);
  auto outcome = co_await (
      asio::async_read_until(stream, buffer, "\r\n\r\n", asio::as_tuple(asio::use_awaitable)) ||
      deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (outcome.index() != 0 || std::get<0>(std::get<0>(outcome)) || !*alive) {
    co_return;  // timed out, too large or broken: close without an answer
  }

  // Answer and close.
  const std::string answer = answer_metrics_request(request, render_());
  runtime::error_code ec;
  co_await asio::async_write(stream, asio::buffer(answer),
                             asio::redirect_error(asio::use_awaitable, ec));
  stream.shutdown_send();
}

}  // namespace gateway
