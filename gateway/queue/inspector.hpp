// The inspection stage as the queue manager sees it: something that looks at a received
// message and says whether it may go on to delivery. The real inspector (MIME, emulation,
// verdict policy, sanitizer) is written apart from the queue; tests supply fakes.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gateway/spool/queued_message.hpp"

namespace gateway {

enum class InspectionResult {
  ready,  // deliver it
  hold,   // quarantine it until an operator releases or deletes it
};

struct InspectionOutcome {
  InspectionResult result = InspectionResult::ready;
  // Why it was held, for the queue listing and the log; empty when ready.
  std::string reason;
  // New messages the inspection spooled, committed and in state ready (the original's
  // copy for quarantine.address): whoever queues the message queues these with it, and
  // whoever drops it (inline mode, the source gone before its 250) drops these too.
  std::vector<QueuedMessage> companions;
};

class Inspector {
 public:
  virtual ~Inspector() = default;

  // Inspects one message; may take minutes (the sandbox), and must finish on its own
  // deadline: the queue manager waits for it. The message stays valid throughout.
  virtual boost::asio::awaitable<InspectionOutcome> inspect(QueuedMessage& message) = 0;
};

// Lets every message through; the stage until inspection is written, and for
// configurations without an emulation section.
class PassThroughInspector final : public Inspector {
 public:
  boost::asio::awaitable<InspectionOutcome> inspect(QueuedMessage& message) override;
};

}  // namespace gateway
