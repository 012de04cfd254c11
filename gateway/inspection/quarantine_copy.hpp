// The copy of a message's original for quarantine.address, made when inspection removes or
// withholds a file: a new message from the gateway to that address, a multipart/mixed of
// two parts. The first is a note for people: the queue id, the envelope the original came
// with, and each file's X-Threat-Emulation value. The second is the original itself, byte
// for byte as it was spooled, as message/rfc822.
//
// The copy goes from the null reverse-path (RFC 5321 4.5.5), so that a copy nobody can
// take bounces to nobody. It is spooled inspected (state ready): it exists to keep the
// files the gateway removed, so inspection must not remove them from it in turn. Its state
// record is written before its content is committed, so that a crash can never bring it
// back as received; a record left without content is removed by recovery.
//
// The MIME boundary and Message-ID come from the generator passed in; the boundary is drawn
// again while the original contains it (RFC 2046 5.1.1).
#pragma once

#include <string>
#include <vector>

#include "gateway/spool/envelope.hpp"
#include "gateway/spool/queued_message.hpp"
#include "gateway/spool/spool.hpp"
#include "gateway/spool/spool_reader.hpp"
#include "runtime/random.hpp"
#include "runtime/time.hpp"

namespace gateway::inspection {

struct QuarantineNote {
  std::string reporting_mta;  // the gateway's hostname
  std::string address;        // quarantine.address, the copy's one recipient
  std::string original_queue_id;
  Envelope original;  // the envelope the original came with
  // One X-Threat-Emulation value per file of the original, in the order of its parts.
  std::vector<std::string> file_outcomes;
  runtime::WallTime now;
};

// Spools the copy and returns it committed, its record in state ready. `original` is read
// from its start, in order, twice: once to choose the boundary and see whether the copy
// carries 8-bit bytes, once to copy it; the second pass checks its checksum. Errors: the
// spool's (EIO, ENOSPC, corrupt_record).
runtime::Result<QueuedMessage> spool_quarantine_copy(Spool& spool, SpoolReader& original,
                                                     const QuarantineNote& note,
                                                     runtime::Random& random);

}  // namespace gateway::inspection
