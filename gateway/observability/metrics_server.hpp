// Serves GET /metrics (Prometheus text) over plain HTTP/1.1 on the seam's network. One
// request per connection, bounded in size and time: a scraper needs nothing more, and a
// hostile client gets nothing more.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "runtime/host.hpp"

namespace gateway {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;

  static constexpr std::size_t max_request_bytes = 8 * 1024;
  static constexpr std::chrono::seconds request_timeout{10};

  MetricsServer(runtime::Host& host, Render render);
  ~MetricsServer();

  // Starts listening; errors as runtime::Network::listen.
  runtime::error_code start(const runtime::Endpoint& address);
  void stop();
  runtime::Endpoint local_endpoint() const;

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(runtime::ByteStream stream);

  runtime::Host& host_;
  Render render_;
  runtime::Listener listener_;
  std::shared_ptr<bool> alive_;
};

// Answers one raw HTTP request (exposed for tests): 200 with the metrics for GET /metrics,
// 404 for another path, 405 for another method, 400 for anything unparseable.
std::string answer_metrics_request(std::string_view request, const std::string& metrics);

}  // namespace gateway
