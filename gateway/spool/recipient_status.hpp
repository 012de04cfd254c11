// Where delivery to one recipient of a message stands. A deferral is not a state of its
// own: the recipient stays pending and keeps the reply that deferred it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gateway {

enum class RecipientState {
  pending,    // not yet delivered; retried until delivered, bounced or expired
  delivered,  // the next hop accepted it
  bounced,    // permanently failed; the sender is told unless it is the null sender
};

// "pending", "delivered" or "bounced", the spelling used in records and logs.
std::string_view recipient_state_name(RecipientState state);
std::optional<RecipientState> parse_recipient_state(std::string_view name);

struct RecipientStatus {
  std::string address;
  RecipientState state = RecipientState::pending;
  // The last reply about this recipient ("250 2.0.0 ok", "451 4.4.1 no answer"), empty
  // before the first attempt.
  std::string reply;

  friend bool operator==(const RecipientStatus&, const RecipientStatus&) = default;
};

}  // namespace gateway
