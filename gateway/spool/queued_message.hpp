// A committed message as the queue knows it: the envelope from its spool file, its queue
// state record, and the size of its content. The content itself stays on disk and is read
// as a stream through Spool::open_message().
#pragma once

#include <cstdint>

#include "gateway/spool/envelope.hpp"
#include "gateway/spool/queue_id.hpp"
#include "gateway/spool/queue_record.hpp"

namespace gateway {

struct QueuedMessage {
  const QueueId& id() const { return record.queue_id; }

  Envelope envelope;
  QueueRecord record;
  std::uint64_t content_size_bytes = 0;
};

}  // namespace gateway
