#include "gateway/delivery/gateway_deliverer.hpp"

#include <chrono>
#include <memory>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "gateway/delivery/delivery_policy.hpp"
#include "gateway/delivery/smtp_client.hpp"
#include "runtime/wait_group.hpp"

namespace gateway {

namespace asio = boost::asio;

namespace {

std::string_view result_name(DeliveryResult result) {
  switch (result) {
    case DeliveryResult::delivered:
      return "delivered";
    case DeliveryResult::deferred:
      return "deferred";
    case DeliveryResult::bounced:
      return "bounced";
  }
  return "unknown";
}

}  // namespace

GatewayDeliverer::GatewayDeliverer(runtime::Host& host, const Config& config, Spool& spool,
                                   RouteTls tls, GatewayMetrics* metrics)
    : host_(host),
      config_(config),
      spool_(spool),
      tls_(std::move(tls)),
      metrics_(metrics),
      router_(config),
      limiter_(host, config.delivery.max_connections_per_hop) {}

asio::awaitable<DeliveryOutcome> GatewayDeliverer::deliver(QueuedMessage& message) {
  DeliveryOutcome outcome;
  const std::vector<RouteGroup> groups = router_.group(message.record);

  // One session per next hop, all at once, each reading the content from its own reader,
  // so that a slow or silent hop holds up no other. This frame waits for them all.
  auto sessions = std::make_shared<runtime::WaitGroup>(host_);
  for (const RouteGroup& group : groups) {
    if (group.route == nullptr) {
      // A missing route is the operator's to fix, so the mail waits (RFC 3463 4.4.4).
      for (std::size_t index : group.recipients) {
        const std::string domain(recipient_domain(message.record.recipients[index].address));
        defer(message, index, "", "4.4.4 no route for domain " + domain, outcome);
      }
      continue;
    }
    // Without its content the group cannot go; the queue tries again later.
    auto reader = spool_.open_message(message.id());
    if (!reader) {
      for (std::size_t index : group.recipients) {
        defer(message, index, "", "4.3.0 spool: " + reader.error().message(), outcome);
      }
      continue;
    }
    sessions->add();
    auto session = [](GatewayDeliverer& self, const QueuedMessage& queued, const RouteGroup& hop,
                      SpoolReader content, DeliveryOutcome& results,
                      std::shared_ptr<runtime::WaitGroup> running) -> asio::awaitable<void> {
      co_await self.deliver_group(queued, hop, content, results);
      running->done();
    };
    asio::co_spawn(host_.executor(),
                   session(*this, message, group, std::move(*reader), outcome, sessions),
                   asio::detached);
  }
  // Every session ends within its own timeouts; the day only bounds each wait, which the
  // last session ends long before.
  while (!co_await sessions->wait(host_.clock().now() + std::chrono::hours(24))) {
  }
  co_return outcome;
}

asio::awaitable<void> GatewayDeliverer::deliver_group(const QueuedMessage& message,
                                                      const RouteGroup& group, SpoolReader& content,
                                                      DeliveryOutcome& outcome) {
  const Route& route = *group.route;
  const std::string hop_text = route.next_hop.to_string();

  // The hop and how it is protected.
  NextHop hop{.address = route.next_hop,
              .tls = route.tls,
              .tls_name = route.tls_name,
              .tls_context = tls_.find(route)};
  if (hop.tls != TlsPolicy::none && hop.tls_context == nullptr) {
    const std::string reply = "4.7.5 starttls with " + hop_text + ": no TLS context";
    for (std::size_t index : group.recipients) {
      defer(message, index, hop_text, reply, outcome);
    }
    co_return;
  }

  // The transaction: the envelope's sender and this group's recipients.
  Transaction transaction{.mail_from = message.envelope.mail_from,
                          .recipients = {},
                          .body_type = message.envelope.body_type,
                          .content_size_bytes = content.content_size_bytes()};
  for (std::size_t index : group.recipients) {
    transaction.recipients.push_back(message.record.recipients[index].address);
  }

  // Wait for a slot at the hop, then run the session.
  HopLimiter::Lease lease = co_await limiter_.acquire(hop_text);
  host_.events().record("delivery.attempt", {{"queue_id", message.id().text()},
                                             {"hop", hop_text},
                                             {"recipients", transaction.recipients.size()},
                                             {"tls_policy", to_string(route.tls)}});
  const ClientSettings settings{.helo_name = config_.hostname, .timeouts = config_.delivery};
  const runtime::SteadyTime started = host_.clock().now();
  const SessionOutcome session =
      co_await run_smtp_session(host_, settings, hop, transaction, content);
  count_session(session, host_.clock().now() - started);
  record_results(message, group, hop_text, session, outcome);
}

void GatewayDeliverer::count_session(const SessionOutcome& session, runtime::Duration took) {
  if (metrics_ == nullptr) {
    return;
  }
  metrics_->delivery_seconds.observe(took);
  if (session.tls) {
    ++metrics_->tls_handshakes_outbound_total;
  }
  // A failed handshake ends the session, or under `may` sends the mail over a second,
  // plaintext connection.
  const bool failed_here = session.failure && session.failure->kind == FailureKind::tls_failed;
  const bool fell_back = !session.tls && session.connections > 1;
  if (failed_here || fell_back) {
    ++metrics_->tls_handshakes_outbound_failed_total;
  }
}

void GatewayDeliverer::defer(const QueuedMessage& message, std::size_t index,
                             const std::string& hop, const std::string& reply,
                             DeliveryOutcome& outcome) {
  outcome.recipients.push_back(
      {.recipient_index = index, .result = DeliveryResult::deferred, .reply = reply});
  host_.events().record("delivery.result", {{"queue_id", message.id().text()},
                                            {"hop", hop},
                                            {"recipient", message.record.recipients[index].address},
                                            {"result", result_name(DeliveryResult::deferred)},
                                            {"reply", reply},
                                            {"tls", false}});
}

void GatewayDeliverer::record_results(const QueuedMessage& message, const RouteGroup& group,
                                      const std::string& hop, const SessionOutcome& session,
                                      DeliveryOutcome& outcome) {
  const std::string_view stage =
      session.failure ? stage_name(session.failure->stage) : std::string_view();
  for (std::size_t i = 0; i < group.recipients.size(); ++i) {
    const std::size_t index = group.recipients[i];
    RecipientVerdict verdict = judge_recipient(session, i, hop);
    host_.events().record("delivery.result",
                          {{"queue_id", message.id().text()},
                           {"hop", hop},
                           {"recipient", message.record.recipients[index].address},
                           {"result", result_name(verdict.result)},
                           {"reply", verdict.reply},
                           {"tls", session.tls},
                           {"stage", stage}});
    outcome.recipients.push_back(
        {.recipient_index = index, .result = verdict.result, .reply = std::move(verdict.reply)});
  }
}

}  // namespace gateway
