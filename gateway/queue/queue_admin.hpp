// The operator's view of a spool: the verbs of `mta-gateway queue list|show ID|flush|
// delete ID|release ID`. They work whether or not a gateway is running on the spool:
// list and show only read files that are replaced atomically, and flush, delete and
// release are requests that the gateway's queue manager applies (see control_request.hpp
// for when).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/spool/envelope.hpp"
#include "gateway/spool/message_state.hpp"
#include "gateway/spool/queue_id.hpp"
#include "gateway/spool/queue_record.hpp"
#include "runtime/error.hpp"
#include "runtime/random.hpp"
#include "runtime/time.hpp"

namespace gateway {

class Spool;

// One line of `queue list`.
struct QueueListing {
  explicit QueueListing(QueueId id) : queue_id(std::move(id)) {}

  QueueId queue_id;
  // Unset when the message could not be read; `problem` says why.
  std::optional<MessageState> state;
  std::string sender;
  std::size_t recipient_count = 0;
  std::uint64_t size_bytes = 0;
  std::optional<runtime::WallTime> next_attempt_time;
  std::string last_error;
  runtime::error_code problem;
};

// What `queue show ID` prints.
struct MessageDetails {
  Envelope envelope;
  QueueRecord record;
  std::uint64_t size_bytes = 0;
  // The message's header section, up to and without the empty line that ends it.
  std::string header_section;
  // True when the header section was longer than header_section_size_max.
  bool header_truncated = false;
};

class QueueAdmin {
 public:
  // A header section beyond this is cut for display (the server refuses more anyway).
  static constexpr std::size_t header_section_size_max = 1024 * 1024;

  explicit QueueAdmin(Spool& spool);

  // Every committed message, by queue id. Errors: ENOENT (no such spool), EIO.
  runtime::Result<std::vector<QueueListing>> list();

  // Errors: ENOENT (no such message), EIO, corrupt_record.
  runtime::Result<MessageDetails> show(const QueueId& id);

  // Makes every deferred message due now. Errors: ENOENT (no such spool), EIO, ENOSPC.
  runtime::error_code flush();

  // Deletes a message without a bounce. Errors: ENOENT (no such message), EIO, ENOSPC.
  runtime::error_code remove(const QueueId& id);

  // Lets a held message go on to delivery. Errors: ENOENT (no such message), EINVAL (the
  // message is not held), EIO, ENOSPC, corrupt_record.
  runtime::error_code release(const QueueId& id);

  // How many requests wait for a queue manager to apply them. Errors: ENOENT, EIO.
  runtime::Result<std::size_t> pending_requests();

 private:
  QueueListing listing(const QueueId& id);

  Spool* spool_;
  runtime::Random names_;
};

}  // namespace gateway
