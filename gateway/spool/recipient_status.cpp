#include "gateway/spool/recipient_status.hpp"

namespace gateway {

std::string_view recipient_state_name(RecipientState state) {
  switch (state) {
    case RecipientState::pending: return "pending";
    case RecipientState::delivered: return "delivered";
    case RecipientState::bounced: return "bounced";
  }
  return "pending";
}

std::optional<RecipientState> parse_recipient_state(std::string_view name) {
  for (auto state : {RecipientState::pending, RecipientState::delivered,
                     RecipientState::bounced}) {
    if (recipient_state_name(state) == name) {
      return state;
    }
  }
  return std::nullopt;
}

}  // namespace gateway
