// The layout of a spool file, <spool>/messages/<queue id>: the envelope, the message
// content as received, and a trailer that proves the file was completed.
//
//   prefix   "MTA-SPOOL/1 header=NNNNNNNNNN\n"     fixed size; N: the header's size in bytes
//   header   a record (record_codec.hpp) holding the envelope, fields in this order:
//              queue_id, mail_from, recipient_count, recipient (recipient_count times),
//              client_address, helo_name, tls (0 or 1), tls_details,
//              received_us (wall time, Unix microseconds), body (7bit or 8bitmime),
//              declared_size (bytes; empty when the client declared none),
//            then, only in content an inspection rewrote, inspected (ready or held) and
//            inspected_reason (why it is held; empty when ready),
//            and closed by its own check line
//   content  the message bytes exactly as the server appended them
//   trailer  "MTA-SPOOL-END length=LLLLLLLLLLLLLLLLLLLL crc32c=CCCCCCCC\n"   fixed size;
//            L: the content's size in decimal, C: the content's CRC-32C in hex
//
// The version sits in the prefix: a reader refuses any other as corrupt rather than
// guessing. The inspected fields came later within version 1; as they are optional, files
// written before them read as they always did. A file is valid only when its size is exactly prefix
// + header + content + trailer, so a file cut short anywhere, or grown, is detected without reading
// the content; the content checksum is verified whenever the content is read through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/spool/envelope.hpp"
#include "gateway/spool/message_state.hpp"
#include "gateway/spool/queue_id.hpp"
#include "runtime/error.hpp"

namespace gateway {

inline constexpr std::string_view spool_prefix_start = "MTA-SPOOL/1 header=";
inline constexpr std::size_t spool_prefix_size = spool_prefix_start.size() + 10 + 1;
inline constexpr std::string_view spool_trailer_start = "MTA-SPOOL-END length=";
inline constexpr std::string_view spool_trailer_checksum = " crc32c=";
inline constexpr std::size_t spool_trailer_size =
    spool_trailer_start.size() + 20 + spool_trailer_checksum.size() + 8 + 1;

// The largest header block a reader accepts: far above 1,000 recipients of 256 octets
// each, percent-encoded, and small enough that a damaged size cannot exhaust memory.
inline constexpr std::uint64_t spool_header_size_max = 8 * 1024 * 1024;

// What an inspection decided, written into the content it rewrote: the rewrite and the
// decision become durable in one rename, so that a crash before the state record is
// saved cannot have rewritten content inspected again, nor a held message go out.
struct InspectionMark {
  MessageState state = MessageState::ready;  // ready or held
  std::string reason;                        // why it is held; empty when ready

  friend bool operator==(const InspectionMark&, const InspectionMark&) = default;
};

// The prefix and header block for a new spool file; `inspected` for rewritten content.
std::string encode_spool_header(const QueueId& id, const Envelope& envelope,
                                const std::optional<InspectionMark>& inspected = std::nullopt);

// The header block's size from a prefix. Errors: corrupt_record.
runtime::Result<std::uint64_t> decode_spool_prefix(std::string_view prefix);

struct SpoolHeader {
  QueueId queue_id;
  Envelope envelope;
  std::optional<InspectionMark> inspected;
};

// The envelope from a header block. Errors: corrupt_record.
runtime::Result<SpoolHeader> decode_spool_header(std::string_view header);

struct SpoolTrailer {
  std::uint64_t content_size_bytes = 0;
  std::uint32_t content_checksum = 0;
};

std::string encode_spool_trailer(const SpoolTrailer& trailer);

// Errors: corrupt_record.
runtime::Result<SpoolTrailer> decode_spool_trailer(std::string_view trailer);

}  // namespace gateway
