#include "gateway/queue/deliverer.hpp"

namespace gateway {

DeliveryOutcome DeliveryOutcome::for_all_pending(const QueuedMessage& message,
                                                 DeliveryResult result,
                                                 const std::string& reply) {
  DeliveryOutcome outcome;
  const auto& recipients = message.record.recipients;
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    if (recipients[i].state == RecipientState::pending) {
      outcome.recipients.push_back({.recipient_index = i, .result = result, .reply = reply});
    }
  }
  return outcome;
}

}  // namespace gateway
