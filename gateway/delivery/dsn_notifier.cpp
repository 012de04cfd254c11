#include "gateway/delivery/dsn_notifier.hpp"

#include <utility>

#include "gateway/delivery/dsn.hpp"
#include "gateway/delivery/router.hpp"

namespace gateway {

DsnNotifier::DsnNotifier(runtime::Host& host, const Config& config, Spool& spool, Commit commit)
    : host_(host),
      config_(config),
      spool_(spool),
      commit_(std::move(commit)),
      random_(host.random("dsn")) {}

void DsnNotifier::notify(const QueuedMessage& message, std::span<const std::size_t> recipients) {
  // RFC 5321 4.5.5: mail from the null sender is never answered with a notification.
  if (message.envelope.null_sender() || recipients.empty()) {
    return;
  }

  // What to report: each bounced recipient with the reply kept for it.
  DsnRequest request{.reporting_mta = config_.hostname,
                     .original = message.envelope,
                     .original_queue_id = message.id().text(),
                     .recipients = {},
                     .original_headers = {},
                     .now = host_.clock().wall_now()};
  for (std::size_t index : recipients) {
    const RecipientStatus& status = message.record.recipients.at(index);
    request.recipients.push_back({status.address, status.reply});
  }

  // The original's header section goes back with it; without it the notice still goes.
  auto original = spool_.open_message(message.id());
  auto headers =
      original ? read_header_section(*original) : runtime::Result<std::string>(original.error());
  if (headers) {
    request.original_headers = std::move(*headers);
  } else {
    failed(message, "headers", headers.error());
  }

  std::optional<Dsn> dsn = build_dsn(request, random_);
  if (!dsn) {
    return;
  }

  // Spool it as a new message, then hand it to the queue.
  auto writer = spool_.begin(dsn->envelope);
  if (!writer) {
    failed(message, "begin", writer.error());
    return;
  }
  if (auto ec = writer->append(dsn->content)) {
    failed(message, "append", ec);
    return;
  }
  auto committed = writer->commit();
  if (!committed) {
    failed(message, "commit", committed.error());
    return;
  }
  host_.events().record("delivery.dsn", {{"queue_id", message.id().text()},
                                         {"dsn_queue_id", committed->id().text()},
                                         {"recipients", recipients.size()}});

  // DSNs follow the route of the sender's domain, then "*"; without either the
  // notification is held (DESIGN.md) for an operator to release once a route exists, or
  // to delete.
  const std::string_view domain = recipient_domain(message.envelope.mail_from);
  if (find_route(config_, domain) == nullptr) {
    host_.events().record("delivery.dsn_no_route", {{"queue_id", message.id().text()},
                                                    {"dsn_queue_id", committed->id().text()},
                                                    {"domain", domain}});
    committed->record.state = MessageState::held;
    committed->record.last_error = "no route to the sender's domain " + std::string(domain);
    if (auto ec = spool_.save_state(committed->record)) {
      // Unsaved, the hold still applies until a restart, which brings the notification
      // back as received; it is then deferred for want of a route, as any mail would be.
      failed(message, "hold", ec);
    }
  }
  commit_(std::move(*committed));
}

void DsnNotifier::failed(const QueuedMessage& message, std::string_view stage,
                         runtime::error_code error) {
  host_.events().record(
      "delivery.dsn_failed",
      {{"queue_id", message.id().text()}, {"stage", stage}, {"error", error.message()}});
}

}  // namespace gateway
