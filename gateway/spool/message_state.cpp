#include "gateway/spool/message_state.hpp"

namespace gateway {

std::string_view message_state_name(MessageState state) {
  switch (state) {
    case MessageState::received: return "received";
    case MessageState::inspecting: return "inspecting";
    case MessageState::ready: return "ready";
    case MessageState::deferred: return "deferred";
    case MessageState::held: return "held";
    case MessageState::done: return "done";
  }
  return "received";
}

std::optional<MessageState> parse_message_state(std::string_view name) {
  for (auto state : {MessageState::received, MessageState::inspecting, MessageState::ready,
                     MessageState::deferred, MessageState::held, MessageState::done}) {
    if (message_state_name(state) == name) {
      return state;
    }
  }
  return std::nullopt;
}

}  // namespace gateway
