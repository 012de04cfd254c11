// The inbound side: listens on `listen`, enforces the connection limit and runs one
// SmtpSession per connection. Sessions share the ServerContext, which the gateway owns and
// keeps alive as long as any session may run.
#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "gateway/config.hpp"
#include "gateway/observability/logger.hpp"
#include "gateway/observability/metrics.hpp"
#include "gateway/queue/inspector.hpp"
#include "gateway/queue/queue_manager.hpp"
#include "gateway/spool/spool.hpp"
#include "runtime/host.hpp"
#include "runtime/tls.hpp"

namespace gateway {

struct ServerContext {
  runtime::Host& host;
  const Config& config;
  Spool& spool;
  QueueManager& queue;
  Inspector& inspector;  // inline mode inspects while the client waits
  Logger& log;
  GatewayMetrics& metrics;
  runtime::TlsContext* tls = nullptr;  // null: STARTTLS is not offered
  bool stopping = false;               // set by SmtpServer::stop()
};

class SmtpServer {
 public:
  explicit SmtpServer(ServerContext& context) : context_(context) {}
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  // Listens on config.listen. Errors: as runtime::Network::listen.
  runtime::error_code start();
  // Stops accepting; sessions finish the command in hand and close with 421.
  void stop();

  runtime::Endpoint local_endpoint() const { return listener_.local_endpoint(); }
  std::size_t active_sessions() const { return active_; }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> refuse(runtime::ByteStream stream);
  boost::asio::awaitable<void> run_session(runtime::ByteStream stream, std::uint64_t number);

  ServerContext& context_;
  runtime::Listener listener_;
  std::size_t active_ = 0;
  std::uint64_t sessions_started_ = 0;
};

}  // namespace gateway
