// Tells senders about their bounced recipients: builds the notification (dsn.hpp), spools
// it as a new message through Spool::begin and commit, and hands it to the queue, where it
// is inspected and delivered like any other mail, by the route of the sender's domain.
//
// The queue manager takes its BounceNotifier when it is constructed, so the notifier
// cannot take the manager: it takes a function that commits to it instead, which whoever
// wires the gateway binds to QueueManager::commit once both exist. That function is called
// from inside the queue's own report of a bounce, so it must only enqueue.
//
// Events: "delivery.dsn" (queue_id of the original, dsn_queue_id, recipients) once the
// notification is committed; "delivery.dsn_failed" (queue_id, stage, error) when it could
// not be spooled; "delivery.dsn_no_route" (queue_id, dsn_queue_id, domain) when no route
// reaches the sender, in which case the notification is committed held, for
// `mta-gateway queue release` once a route exists.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>

#include "gateway/config.hpp"
#include "gateway/queue/bounce_notifier.hpp"
#include "gateway/spool/queued_message.hpp"
#include "gateway/spool/spool.hpp"
#include "runtime/host.hpp"
#include "runtime/random.hpp"

namespace gateway {

class DsnNotifier final : public BounceNotifier {
 public:
  // Receives each committed notification; binds to QueueManager::commit.
  using Commit = std::function<void(QueuedMessage)>;

  // `config` and `spool` must outlive the notifier.
  DsnNotifier(runtime::Host& host, const Config& config, Spool& spool, Commit commit);

  void notify(const QueuedMessage& message, std::span<const std::size_t> recipients) override;

 private:
  void failed(const QueuedMessage& message, std::string_view stage, runtime::error_code error);

  runtime::Host& host_;
  const Config& config_;
  Spool& spool_;
  Commit commit_;
  runtime::Random random_;
};

}  // namespace gateway
