// The delivery stage: hands a queued message to the next hops of its pending recipients
// and reports what became of each one (the queue's Deliverer interface).
//
// Recipients are grouped by next hop (router.hpp) and each group goes in its own SMTP
// session (smtp_client.hpp); the sessions of one message run at once, each waiting for a
// free slot at its hop (hop_limiter.hpp), so a hop that is slow or times out holds up no
// other. The content goes out exactly as the spool holds it: the Received field is the
// receiving server's to add, not ours.
//
// TODO: every message opens its own connection; none is kept for the next message to the
// same hop, which costs a TCP (and TLS) handshake per message under load.
//
// Events, plaintext only: "delivery.attempt" when a session starts (queue_id, hop,
// recipients, tls_policy) and "delivery.result" for each recipient (queue_id, hop,
// recipient, result, reply, tls, and the stage when the session failed).
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "gateway/config.hpp"
#include "gateway/delivery/hop_limiter.hpp"
#include "gateway/delivery/route_tls.hpp"
#include "gateway/delivery/router.hpp"
#include "gateway/delivery/session_outcome.hpp"
#include "gateway/observability/metrics.hpp"
#include "gateway/queue/deliverer.hpp"
#include "gateway/spool/spool.hpp"
#include "runtime/host.hpp"

namespace gateway {

class GatewayDeliverer final : public Deliverer {
 public:
  // `config` and `spool` must outlive the deliverer; `tls` holds the routes' contexts,
  // built at startup with RouteTls::build. `metrics`, when given, is fed with each
  // session's latency and outbound TLS handshakes, and must outlive the deliverer.
  GatewayDeliverer(runtime::Host& host, const Config& config, Spool& spool, RouteTls tls,
                   GatewayMetrics* metrics = nullptr);
  GatewayDeliverer(const GatewayDeliverer&) = delete;
  GatewayDeliverer& operator=(const GatewayDeliverer&) = delete;

  boost::asio::awaitable<DeliveryOutcome> deliver(QueuedMessage& message) override;

 private:
  // One session for one group of recipients; appends their outcomes.
  boost::asio::awaitable<void> deliver_group(const QueuedMessage& message, const RouteGroup& group,
                                             SpoolReader& content, DeliveryOutcome& outcome);

  // Defers one recipient without a session.
  void defer(const QueuedMessage& message, std::size_t index, const std::string& hop,
             const std::string& reply, DeliveryOutcome& outcome);

  // Turns the session's report into each recipient's outcome and result event.
  void record_results(const QueuedMessage& message, const RouteGroup& group, const std::string& hop,
                      const SessionOutcome& session, DeliveryOutcome& outcome);

  // Feeds the metrics, when there are any, with one session's latency and handshakes.
  void count_session(const SessionOutcome& session, runtime::Duration took);

  runtime::Host& host_;
  const Config& config_;
  Spool& spool_;
  RouteTls tls_;
  GatewayMetrics* metrics_;
  Router router_;
  HopLimiter limiter_;
};

}  // namespace gateway
