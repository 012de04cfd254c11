#include "sim/peers/smtp_sink.hpp"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sim/peers/sink_session.hpp"

namespace peers {

namespace asio = boost::asio;

namespace {

// One connection's coroutine; the session lives in its frame, and with it the stream.
asio::awaitable<void> serve(runtime::Host& host, const SmtpSinkOptions& options, SinkScript& script,
                            SinkRecord& record, runtime::ByteStream stream) {
  SinkSession session(host, options, script, record, std::move(stream));
  co_await session.run();
}

}  // namespace

SmtpSink::SmtpSink(runtime::Host& host, SmtpSinkOptions options)
    : host_(host),
      options_(std::move(options)),
      record_(options_.record ? options_.record : std::make_shared<SinkRecord>()),
      script_(options_.rules) {}

runtime::error_code SmtpSink::start() {
  auto listener = host_.network().listen(options_.listen);
  if (!listener) {
    host_.events().record("sink.listen_failed", {{"listen", options_.listen.to_string()},
                                                 {"error", listener.error().message()}});
    return listener.error();
  }
  listener_ = std::move(*listener);
  asio::co_spawn(host_.executor(), accept_loop(), asio::detached);
  return {};
}

asio::awaitable<void> SmtpSink::accept_loop() {
  for (;;) {
    runtime::error_code ec;
    runtime::ByteStream stream =
        co_await listener_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_return;
    }
    ++record_->connections;
    asio::co_spawn(host_.executor(), serve(host_, options_, script_, *record_, std::move(stream)),
                   asio::detached);
  }
}

}  // namespace peers
