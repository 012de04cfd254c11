// The life of a spooled message in the queue:
//
//   received -> inspecting -> ready -> (delivery) -> done
//                   |           ^  \-> deferred --^ (next attempt time)
//                   \-> held ---/ (release)
//
// received and inspecting both resume as received after a restart: an inspection that
// was under way is redone from the start.
#pragma once

#include <optional>
#include <string_view>

namespace gateway {

enum class MessageState {
  received,    // committed to the spool, not yet inspected
  inspecting,  // attachments are with the inspection stage
  ready,       // inspected; waiting for a delivery slot or being delivered
  deferred,    // some recipients failed temporarily; waits for its next attempt time
  held,        // quarantined; waits for an operator to release or delete it
  done,        // every recipient delivered or bounced; its files are being removed
};

// The lower-case name used in records, logs and `mta-gateway queue list`.
std::string_view message_state_name(MessageState state);
std::optional<MessageState> parse_message_state(std::string_view name);

}  // namespace gateway
