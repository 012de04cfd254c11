// How `mta-gateway queue flush|delete|release` reaches a gateway, running or not, through
// the seam alone: the command writes a request file into <spool>/control/, and the queue
// manager applies every waiting request when it starts and then once per control interval
// (1 second by default), removing each file once applied. A running gateway therefore acts
// within about a second; a stopped one acts on its next start, before it delivers anything.
// The queue manager stays the only writer of queue state, so an operator's change never
// races a delivery.
//
// A request file is a record (gateway/spool/record_codec.hpp):
//
//   format=mta-control/1
//   verb=<flush|delete|release>
//   queue_id=<id; empty for flush>
//   check=<crc32c>
//
// named "<wall time in Unix microseconds, 20 digits>.<8 random characters>", so that the
// bytewise order of names is the order the requests were made. It is written with
// runtime::write_file_durably; a ".tmp." leftover is discarded by spool recovery.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/spool/queue_id.hpp"
#include "runtime/error.hpp"
#include "runtime/random.hpp"

namespace gateway {

class Spool;

enum class ControlVerb {
  flush,    // every deferred message is due now
  remove,   // delete one message without a bounce
  release,  // a held message goes on to delivery
};

// "flush", "delete" or "release": the command's own words.
std::string_view control_verb_name(ControlVerb verb);

struct ControlRequest {
  ControlVerb verb = ControlVerb::flush;
  // The message for remove and release; nothing for flush.
  std::optional<QueueId> queue_id;

  friend bool operator==(const ControlRequest&, const ControlRequest&) = default;
};

std::string encode_control_request(const ControlRequest& request);

// Errors: corrupt_record (failed check, unknown verb, an id missing or where none belongs).
runtime::Result<ControlRequest> decode_control_request(std::string_view text);

// Writes a request into the spool's control folder durably. `names` draws the random part
// of the file name. Errors: EIO, ENOSPC, ENOENT (no such spool).
runtime::error_code submit_control_request(Spool& spool, runtime::Random& names,
                                           const ControlRequest& request);

// The names of the waiting request files, oldest first. Errors: ENOENT, EIO.
runtime::Result<std::vector<std::string>> pending_control_requests(Spool& spool);

// Reads one waiting request. Errors: EIO, ENOENT, corrupt_record.
runtime::Result<ControlRequest> read_control_request(Spool& spool, const std::string& name);

}  // namespace gateway
