// A message's queue state, kept apart from its spool file so that a state change never
// rewrites the message: a small record under <spool>/state/<queue id>, replaced
// atomically with runtime::write_file_durably. Its text form (see record_codec.hpp):
//
//   format=mta-queue/1
//   queue_id=<id>
//   state=<received|inspecting|ready|deferred|held|done>
//   attempts=<delivery attempts so far>
//   next_attempt_us=<wall time, Unix microseconds; empty unless deferred>
//   last_error=<the reply or reason that last held the message back; may be empty>
//   recipient_count=<n>
//   recipient=<address>              (these three n times, in the envelope's order)
//   recipient_state=<pending|delivered|bounced>
//   recipient_reply=<last reply>
//   check=<crc32c>
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/spool/envelope.hpp"
#include "gateway/spool/message_state.hpp"
#include "gateway/spool/queue_id.hpp"
#include "gateway/spool/recipient_status.hpp"
#include "runtime/error.hpp"
#include "runtime/time.hpp"

namespace gateway {

struct QueueRecord {
  explicit QueueRecord(QueueId id) : queue_id(std::move(id)) {}

  // A record for a message just committed: received, every recipient pending.
  static QueueRecord fresh(const QueueId& id, const Envelope& envelope);

  QueueId queue_id;
  MessageState state = MessageState::received;
  std::uint32_t attempts = 0;
  // When the next delivery attempt is due; set exactly while deferred.
  std::optional<runtime::WallTime> next_attempt_time;
  std::vector<RecipientStatus> recipients;
  std::string last_error;

  std::size_t pending_count() const;

  // Whether the recipients are the envelope's, in its order.
  bool matches(const Envelope& envelope) const;

  // The invariants every stored record keeps: at least one recipient; a next attempt
  // time exactly when deferred; nothing pending once done.
  bool consistent() const;

  friend bool operator==(const QueueRecord&, const QueueRecord&) = default;
};

// The record's text form. The record must be consistent().
std::string encode_queue_record(const QueueRecord& record);

// Errors: corrupt_record when the text fails its check, has another format version, or
// holds an inconsistent record.
runtime::Result<QueueRecord> decode_queue_record(std::string_view text);

}  // namespace gateway
