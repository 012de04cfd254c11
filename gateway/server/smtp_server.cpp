#include "gateway/server/smtp_server.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "gateway/server/smtp_session.hpp"
#include "gateway/smtp/replies.hpp"

namespace gateway {

namespace asio = boost::asio;

SmtpServer::~SmtpServer() {
  listener_.close();
}

runtime::error_code SmtpServer::start() {
  auto listener = context_.host.network().listen(context_.config.listen);
  if (!listener) {
    return listener.error();
  }
  listener_ = std::move(*listener);
  context_.log.info("smtp.listening", {{"address", listener_.local_endpoint().to_string()}});
  asio::co_spawn(context_.host.executor(), accept_loop(), asio::detached);
  return {};
}

void SmtpServer::stop() {
  context_.stopping = true;
  listener_.close();
}

asio::awaitable<void> SmtpServer::accept_loop() {
  for (;;) {
    runtime::error_code ec;
    runtime::ByteStream stream =
        co_await listener_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || context_.stopping) {
      co_return;
    }

    // Over the limit the client hears 421 at once rather than waiting for a slot.
    if (active_ >= context_.config.limits.max_connections) {
      ++context_.metrics.connections_refused_total;
      asio::co_spawn(context_.host.executor(), refuse(std::move(stream)), asio::detached);
      continue;
    }
    ++sessions_started_;
    asio::co_spawn(context_.host.executor(), run_session(std::move(stream), sessions_started_),
                   asio::detached);
  }
}

asio::awaitable<void> SmtpServer::refuse(runtime::ByteStream stream) {
  context_.log.warn("smtp.connection_limit",
                    {{"client", stream.remote_endpoint().to_string()}, {"active", active_}});
  const std::string reply =
      smtp::to_wire(smtp::replies::too_many_connections(context_.config.hostname));
  runtime::error_code ec;
  co_await asio::async_write(stream, asio::buffer(reply),
                             asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> SmtpServer::run_session(runtime::ByteStream stream, std::uint64_t number) {
  // Counted for the limit and the metrics for exactly as long as the session runs.
  struct Active {
    SmtpServer& server;
    explicit Active(SmtpServer& s) : server(s) {
      ++server.active_;
      ++server.context_.metrics.connections_total;
      ++server.context_.metrics.connections_active;
    }
    ~Active() {
      --server.active_;
      --server.context_.metrics.connections_active;
    }
  } active(*this);

  SmtpSession session(context_, std::move(stream), "S" + std::to_string(number));
  co_await session.run();
}

}  // namespace gateway
