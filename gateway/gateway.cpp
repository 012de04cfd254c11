#include "gateway/gateway.hpp"

#include "gateway/delivery/dsn_notifier.hpp"
#include "gateway/delivery/gateway_deliverer.hpp"
#include "gateway/delivery/route_tls.hpp"
#include "gateway/inspection/message_inspector.hpp"
#include "gateway/observability/metrics.hpp"
#include "gateway/observability/metrics_server.hpp"
#include "gateway/queue/inspector.hpp"
#include "gateway/queue/queue_manager.hpp"
#include "gateway/queue/retry_policy.hpp"
#include "gateway/server/smtp_server.hpp"
#include "gateway/spool/spool.hpp"
#include "runtime/tls.hpp"

namespace gateway {
namespace {

RetryPolicy retry_policy(const Config& config) {
  RetrySettings settings;
  settings.minimum_backoff = config.retry.min_backoff;
  settings.maximum_backoff = config.retry.max_backoff;
  settings.backoff_factor = config.retry.backoff_factor;
  settings.queue_lifetime = config.retry.max_lifetime;
  return RetryPolicy(settings);
}

QueueSettings queue_settings(const Config& config) {
  QueueSettings settings;
  settings.max_queue_messages = config.limits.max_queue_messages;
  settings.max_concurrent_deliveries = config.delivery.max_connections_per_hop;
  return settings;
}

// The sandbox's inspection when an emulation section is configured, else none.
std::unique_ptr<Inspector> make_inspector(runtime::Host& host, const Config& config, Spool& spool,
                                          Logger& log,
                                          inspection::MessageInspector::Wiring wiring) {
  if (!config.emulation) {
    return std::make_unique<PassThroughInspector>();
  }
  return std::make_unique<inspection::MessageInspector>(host, config, spool, log,
                                                        std::move(wiring));
}

}  // namespace

// Declaration order is construction order: each part refers only to parts above it.
struct Gateway::Parts {
  Parts(runtime::Host& h, Config c, GatewayInputs& inputs, RouteTls route_tls,
        std::optional<runtime::TlsContext> inbound, std::optional<runtime::TlsContext> service)
      : host(h),
        config(std::move(c)),
        logger(h.clock(), inputs.log_format, config.log_level, std::move(inputs.log_sink)),
        spool(h, config.spool_dir),
        inspector(make_inspector(h, config, spool, logger,
                                 {.service_tls = std::move(service), .metrics = &metrics})),
        deliverer(h, config, spool, std::move(route_tls), &metrics),
        bounces(h, config, spool, [this](QueuedMessage message) { queue.commit(message); }),
        queue(h, spool, *inspector, deliverer, bounces, retry_policy(config),
              queue_settings(config), &metrics),
        inbound_tls(std::move(inbound)),
        context{h,          config, spool,   queue,
                *inspector, logger, metrics, inbound_tls ? &*inbound_tls : nullptr},
        server(context),
        metrics_server(h, [this] {
          metrics.queue_depth = static_cast<std::int64_t>(queue.size());
          return metrics.render();
        }) {}

  runtime::Host& host;
  Config config;
  Logger logger;
  GatewayMetrics metrics;
  Spool spool;
  std::unique_ptr<Inspector> inspector;
  GatewayDeliverer deliverer;
  DsnNotifier bounces;
  QueueManager queue;
  std::optional<runtime::TlsContext> inbound_tls;
  ServerContext context;
  SmtpServer server;
  MetricsServer metrics_server;
};

std::unique_ptr<Gateway> Gateway::create(runtime::Host& host, Config config, GatewayInputs inputs,
                                         std::string& error) {
  // The routes' TLS contexts, from their CA files.
  auto route_tls = RouteTls::build(config, inputs.read_ca_file);
  if (!route_tls) {
    const RouteTlsError& failure = route_tls.error();
    error = "route " + failure.domain + ": " +
            (failure.ca_file.empty() ? "" : failure.ca_file + ": ") + failure.error.message();
    return nullptr;
  }

  // The inbound STARTTLS identity.
  std::optional<runtime::TlsContext> inbound;
  if (config.tls) {
    auto context =
        runtime::TlsContext::server(inputs.tls_certificate_pem, inputs.tls_private_key_pem);
    if (!context) {
      error = "tls: " + config.tls->certificate_file + ", " + config.tls->private_key_file + ": " +
              context.error().message();
      return nullptr;
    }
    inbound.emplace(std::move(*context));
  }

  // The trust anchors the emulation service's certificate must chain to.
  std::optional<runtime::TlsContext> service;
  if (config.emulation && config.emulation->ca_file) {
    const std::string& ca_file = *config.emulation->ca_file;
    auto pem = inputs.read_ca_file(ca_file);
    auto context = pem ? runtime::TlsContext::client_verifying(*pem)
                       : runtime::Result<runtime::TlsContext>(pem.error());
    if (!context) {
      error = "emulation: " + ca_file + ": " + context.error().message();
      return nullptr;
    }
    service.emplace(std::move(*context));
  }

  auto parts = std::make_unique<Parts>(host, std::move(config), inputs, std::move(*route_tls),
                                       std::move(inbound), std::move(service));
  return std::unique_ptr<Gateway>(new Gateway(std::move(parts)));
}

Gateway::Gateway(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Gateway::~Gateway() = default;

runtime::error_code Gateway::start(std::string& error) {
  Parts& p = *parts_;
  if (auto ec = p.spool.prepare()) {
    error = "spool " + p.config.spool_dir + ": " + ec.message();
    return ec;
  }
  if (auto ec = p.queue.start()) {
    error = "queue recovery in " + p.config.spool_dir + ": " + ec.message();
    return ec;
  }
  if (auto ec = p.server.start()) {
    error = "listen " + p.config.listen.to_string() + ": " + ec.message();
    return ec;
  }
  if (p.config.metrics) {
    if (auto ec = p.metrics_server.start(p.config.metrics->listen)) {
      error = "metrics listen " + p.config.metrics->listen.to_string() + ": " + ec.message();
      return ec;
    }
  }
  p.logger.info("gateway.started", {{"hostname", p.config.hostname},
                                    {"listen", p.server.local_endpoint().to_string()},
                                    {"mode", to_string(p.config.mode)},
                                    {"queued", p.queue.size()}});
  return {};
}

void Gateway::stop() {
  Parts& p = *parts_;
  p.logger.info("gateway.stopping",
                {{"sessions", p.server.active_sessions()}, {"queued", p.queue.size()}});
  p.server.stop();
  p.metrics_server.stop();
  p.queue.stop();
}

bool Gateway::idle() const {
  return parts_->server.active_sessions() == 0 && !parts_->queue.busy();
}

const Config& Gateway::config() const {
  return parts_->config;
}

Logger& Gateway::log() {
  return parts_->logger;
}

}  // namespace gateway
