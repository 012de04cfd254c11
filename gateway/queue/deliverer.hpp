// The delivery stage as the queue manager sees it: something that tries to hand a message
// to the next hop and reports, per recipient, what became of it. It only reports; the
// retry policy decides what the queue does next (gateway/queue/retry_policy.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gateway/spool/queued_message.hpp"

namespace gateway {

enum class DeliveryResult {
  delivered,  // the next hop accepted the recipient
  deferred,   // a temporary failure (4xx reply, no connection): try again later
  bounced,    // a permanent failure (5xx reply): tell the sender
};

struct RecipientOutcome {
  // Index into the message's recipients (QueueRecord::recipients); pending ones only.
  std::size_t recipient_index = 0;
  DeliveryResult result = DeliveryResult::deferred;
  // The reply or reason, as text: "250 2.0.0 queued", "421 4.4.2 connection lost".
  std::string reply;
};

struct DeliveryOutcome {
  // The same result for every pending recipient: a failure before any RCPT, say.
  static DeliveryOutcome for_all_pending(const QueuedMessage& message, DeliveryResult result,
                                         const std::string& reply);

  // At most one entry per pending recipient. A pending recipient without one is treated
  // as deferred.
  std::vector<RecipientOutcome> recipients;
};

class Deliverer {
 public:
  virtual ~Deliverer() = default;

  // Delivers one message to its pending recipients, within its own deadlines. The message
  // stays valid throughout; its content is read through the spool.
  virtual boost::asio::awaitable<DeliveryOutcome> deliver(QueuedMessage& message) = 0;
};

}  // namespace gateway
