// Where the queue reports recipients that bounced, so that the sender can be sent a
// delivery status notification (RFC 3464). The queue never reports a message from the null
// sender: a bounce of a bounce would let two gateways mail each other forever (RFC 5321
// 4.5.5).
#pragma once

#include <cstddef>
#include <span>

#include "gateway/spool/queued_message.hpp"

namespace gateway {

class BounceNotifier {
 public:
  virtual ~BounceNotifier() = default;

  // `recipients` index the message's recipients, each now bounced with its reply. Called
  // before the bounce is recorded durably: a crash in between reports it again rather
  // than never. It may spool and commit a new message (the notification) at once.
  virtual void notify(const QueuedMessage& message, std::span<const std::size_t> recipients) = 0;
};

}  // namespace gateway
