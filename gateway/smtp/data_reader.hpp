// Decodes the mail data that follows DATA and its 354 reply (RFC 5321 4.1.1.4, 4.5.2): bytes
// arrive in arbitrary chunks, split anywhere, even inside a CRLF or inside the terminator.
// The reader removes the dot-stuffing and passes the content to a ContentScanner, which
// checks it and hands it to the sink (see content_scanner.hpp for the bounds, replies and
// the bare CR / bare LF policy).
//
// The end of the data is the sequence CRLF "." CRLF, where the first CRLF ends the last line
// of content; so a first line of "." right after the 354 ends an empty message. Nothing else
// ends it: "\n.\n", "\r.\r", "\n.\r\n" and "\r\n.\n" are content. A bare LF or CR also
// refuses the message with 554 5.6.0, but the reader keeps reading to the real terminator,
// so whatever hides after a bare line ending (a second MAIL FROM, a second message) stays
// part of this refused message: it is never queued, and never read as commands.
//
// Bounds are checked as the bytes arrive, but the session replies only when complete()
// turns true: it must consume the whole data anyway (the client sends it without waiting),
// and RFC 5321 4.3.2 has no reply to DATA in the middle of the data. Memory stays bounded
// by one output chunk however long the data runs; the session's command timeout bounds its
// duration.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "gateway/smtp/content_scanner.hpp"
#include "gateway/smtp/reply.hpp"

namespace gateway::smtp {

class DataReader {
 public:
  DataReader(const ContentLimits& limits, ContentSink sink);

  // Consumes bytes up to and including the terminator and returns how many it used; bytes
  // after the terminator are the next commands (RFC 2920) and stay with the caller. Every
  // call ends by flushing the content decoded so far to the sink. Not to be called once
  // complete().
  std::size_t feed(std::string_view input);

  // Whether the terminator has been consumed.
  bool complete() const { return state_ == State::done; }

  // The reply that refuses the message, or nothing when it may be queued. Faults are found
  // as the bytes arrive; the answer is final once complete().
  std::optional<Reply> rejection() const { return content_refusal(scanner_.fault()); }

  // The checks and counts on the decoded content (octets, header fields, 8-bit bytes).
  const ContentScanner& content() const { return scanner_; }

  // Bytes consumed from the wire, dot-stuffing and terminator included.
  std::uint64_t wire_octets() const { return wire_octets_; }

 private:
  enum class State {
    line_start,  // at the start of a line: a "." here is special
    dot,         // after a "." at the start of a line
    dot_cr,      // after "." CR at the start of a line: LF ends the data
    text,        // inside a line
    cr,          // after a CR (already passed on): LF here starts a new line
    done,        // the terminator was consumed
  };

  std::size_t step(std::string_view input);

  ContentScanner scanner_;
  State state_ = State::line_start;
  std::uint64_t wire_octets_ = 0;
};

}  // namespace gateway::smtp
