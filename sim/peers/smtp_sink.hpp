// A simulated internal mail server: an SMTP server on the seam that accepts mail and keeps
// it in memory for tests and scenarios to look at. It announces PIPELINING and 8BITMIME,
// SIZE when given a limit, and STARTTLS when given a TLS context; it removes the
// dot-stuffing and keeps each message's bytes exactly as they arrived.
//
// A script (sink_script.hpp) makes it misbehave on purpose: other replies (451 for the
// first attempts, 550 for one recipient), delays before replies, connections dropped at a
// chosen stage, and bytes sent right after its 220 to STARTTLS.
//
// It runs as a node's process in the simulated world:
//
//   node.boot([&](runtime::Host& host) {
//     auto sink = std::make_shared<peers::SmtpSink>(host, options);
//     sink->start();
//     return sink;
//   });
//
// and, being written on the seam only, on real sockets too.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "runtime/endpoint.hpp"
#include "runtime/host.hpp"
#include "runtime/network.hpp"
#include "runtime/tls.hpp"
#include "sim/peers/sink_record.hpp"
#include "sim/peers/sink_script.hpp"

namespace peers {

struct SmtpSinkOptions {
  runtime::Endpoint listen{"0.0.0.0", 25};
  std::string hostname = "mx.sink.test";

  // STARTTLS is offered when set; the context is a server context with the sink's
  // certificate.
  std::shared_ptr<runtime::TlsContext> tls;

  bool pipelining = true;
  bool eight_bit_mime = true;
  // Announced with SIZE when set (RFC 1870); not enforced.
  std::optional<std::uint64_t> size_max_bytes;

  // Sent in the same write right after the 220 to STARTTLS, before the handshake: a
  // server that does this tries to inject replies into the encrypted session.
  std::string after_starttls_reply;

  std::vector<SinkRule> rules;

  // How long the sink waits for the next command or line of data before it gives up
  // with 421.
  runtime::Duration idle_timeout = std::chrono::minutes(10);
  // The longest command or data line it reads.
  std::size_t line_octets_max = 64 * 1024;

  // Where what arrives is kept; made when not given. Share one to read it after a crash.
  std::shared_ptr<SinkRecord> record;
};

class SmtpSink {
 public:
  SmtpSink(runtime::Host& host, SmtpSinkOptions options);
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  // Starts listening and serving, each connection in its own coroutine. Errors: the
  // network's (Error::address_in_use, EADDRNOTAVAIL), also recorded as "sink.listen_failed".
  runtime::error_code start();

  const SinkRecord& record() const { return *record_; }
  const std::shared_ptr<SinkRecord>& shared_record() const { return record_; }

 private:
  boost::asio::awaitable<void> accept_loop();

  runtime::Host& host_;
  SmtpSinkOptions options_;
  std::shared_ptr<SinkRecord> record_;
  SinkScript script_;
  runtime::Listener listener_;
};

}  // namespace peers
