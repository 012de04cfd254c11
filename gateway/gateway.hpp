// The whole gateway as one object: configuration, logs and metrics, spool and queue,
// delivery, the SMTP server and the metrics endpoint, wired together on one Host. The
// mta-gateway program builds one over the real world; a simulated world builds one per
// gateway node, and a crash destroys it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gateway/config.hpp"
#include "gateway/observability/logger.hpp"
#include "runtime/error.hpp"
#include "runtime/host.hpp"

namespace gateway {

// What the gateway needs from outside the seam, read by whoever builds it: the program
// reads real files, a simulated world hands out text it made.
struct GatewayInputs {
  // The inbound certificate chain and key (the `tls` section's files); empty without tls.
  std::string tls_certificate_pem;
  std::string tls_private_key_pem;
  // Reads a ca_file: a route's, or the emulation service's.
  std::function<runtime::Result<std::string>(const std::string& path)> read_ca_file;
  LogFormat log_format = LogFormat::text;
  Logger::Sink log_sink;
};

class Gateway {
 public:
  // Builds every part; on failure returns null and says why in `error`.
  static std::unique_ptr<Gateway> create(runtime::Host& host, Config config, GatewayInputs inputs,
                                         std::string& error);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Recovers the spool, starts the queue, listens for SMTP and metrics. On failure says
  // which part in `error`.
  runtime::error_code start(std::string& error);

  // Stops accepting connections and starting work; sessions close after the command in
  // hand, deliveries under way finish on their own deadlines.
  void stop();
  // Whether nothing is under way any more (after stop(), the moment to exit).
  bool idle() const;

  const Config& config() const;
  Logger& log();

 private:
  struct Parts;
  explicit Gateway(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace gateway
