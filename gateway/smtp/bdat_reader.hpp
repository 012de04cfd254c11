// Reads the message content sent with BDAT (CHUNKING, RFC 3030): each "BDAT n [LAST]"
// command is followed by exactly n octets, with no dot-stuffing and no terminator; the
// chunk marked LAST ends the message. The content goes through the same ContentScanner as
// DATA, so the same bounds and replies apply (see content_scanner.hpp).
//
// Because BINARYMIME is not offered, BDAT content must be lines ending in CRLF like DATA's:
// a bare CR or LF refuses the message with 554 5.6.0. A last chunk that ends without CRLF
// gets one added (RFC 5322 2.1 allows a final line without it; the spool stores lines).
//
// The session reads each chunk in full whatever happens (RFC 3030 2: the octets are on
// their way), then replies: 250 for a chunk that keeps the message acceptable, the refusal
// from rejection() once there is one. A chunk size is a 64-bit count; the session should
// not wait for an announced size it will never accept, and can compare announced_octets()
// with its limits before reading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "gateway/smtp/content_scanner.hpp"
#include "gateway/smtp/reply.hpp"

namespace gateway::smtp {

class BdatReader {
 public:
  BdatReader(const ContentLimits& limits, ContentSink sink);

  // Starts the chunk announced by a BDAT command. The previous chunk must be complete and
  // the message must not be. A zero-octet chunk completes at once.
  void begin_chunk(std::uint64_t chunk_octets, bool last);

  // Consumes up to the rest of the current chunk and returns how many bytes it used; the
  // bytes after the chunk are the next command. Flushes the content to the sink.
  std::size_t feed(std::string_view input);

  // Whether the current chunk's octets have all been consumed.
  bool chunk_complete() const { return chunk_octets_remaining_ == 0; }

  // Whether the chunk marked LAST has been consumed.
  bool message_complete() const { return message_complete_; }

  std::uint64_t chunk_octets_remaining() const { return chunk_octets_remaining_; }

  // The sum of the chunk sizes announced so far, consumed or not.
  std::uint64_t announced_octets() const { return announced_octets_; }

  // The reply that refuses the message, or nothing while it is acceptable.
  std::optional<Reply> rejection() const { return content_refusal(scanner_.fault()); }

  const ContentScanner& content() const { return scanner_; }

 private:
  void complete_chunk();

  ContentScanner scanner_;
  std::uint64_t chunk_octets_remaining_ = 0;
  std::uint64_t announced_octets_ = 0;
  bool last_chunk_ = false;
  bool message_complete_ = false;
};

}  // namespace gateway::smtp
