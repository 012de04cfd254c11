// Checks message content as it streams in and hands it on in chunks: the part that DATA
// (after dot-unstuffing) and BDAT have in common. It enforces the bounds on the content,
// finds the header section, counts header fields and Received fields, and notes 8-bit bytes.
//
// Content is lines ending in CRLF (RFC 5321 2.3.8). A CR not followed by LF, or an LF not
// preceded by CR, is a bare line ending. Bare line endings reject the message with
// 554 5.6.0: servers and clients disagree on whether they end a line, and that disagreement
// is what SMTP smuggling exploits, so a message that holds one is refused as a whole rather
// than normalised into something the sender may not have meant.
//
// Bounds, each with its reply (the session sends it after the message ends, see below):
// - a line longer than ContentLimits::line_octets_max (CRLF not counted): 552 5.3.4. RFC 5321
//   4.5.3.1.9 lists "500 Line too long" for commands, but 500 is not a reply to the end of
//   DATA (RFC 5321 4.3.2 allows 250, 450, 451, 452, 550, 552, 554 there); 552 is the reply
//   for content that exceeds what the server stores, and 5.3.4 its status;
// - more content octets than ContentLimits::message_octets_max: 552 5.3.4 (RFC 1870);
// - more header fields than header_fields_max, or more header octets than header_octets_max:
//   552 5.3.4;
// - more Received fields than received_fields_max: 554 5.4.6, a mail loop (RFC 5321 6.3).
// The first fault in the order of the content's bytes decides the reply, so the outcome does
// not depend on how the bytes were split into writes.
//
// Output: the content (lines ending in CRLF) goes to the sink in chunks of at most
// content_chunk_octets, and at every flush(). Once a fault is found nothing more goes to the
// sink: the message is refused and the session discards what it already received.
//
// TODO: NUL bytes in the content are stored as received. RFC 5322 3.5 leaves them out of
// text, and a next hop that cuts lines at NUL would deliver something other than what was
// inspected; refusing them needs a decision on what legacy senders may still send.
// TODO: 8-bit bytes are only noted (saw_eight_bit()), not refused after BODY=7BIT or no
// BODY; the session passes them on as they are, which a strict 7-bit next hop may refuse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/smtp/limits.hpp"
#include "gateway/smtp/reply.hpp"

namespace gateway::smtp {

struct ContentLimits {
  std::size_t line_octets_max = text_line_octets_default;  // CRLF not counted
  std::uint64_t message_octets_max = message_octets_default;
  std::size_t header_fields_max = header_fields_default;
  std::uint64_t header_octets_max = header_octets_default;
  std::size_t received_fields_max = received_fields_default;
};

// Content goes to the sink in chunks of at most this many octets.
inline constexpr std::size_t content_chunk_octets = 64 * kibibyte;

enum class ContentFault {
  none,
  bare_line_ending,        // 554 5.6.0
  line_too_long,           // 552 5.3.4
  message_too_big,         // 552 5.3.4
  too_many_header_fields,  // 552 5.3.4
  header_too_big,          // 552 5.3.4
  mail_loop,               // 554 5.4.6
};

// A stable name for logs and traces, such as "bare_line_ending".
std::string_view fault_name(ContentFault fault);

// The reply for a fault; nothing for ContentFault::none.
std::optional<Reply> content_refusal(ContentFault fault);

using ContentSink = std::function<void(std::string_view chunk)>;

class ContentScanner {
 public:
  // An empty sink discards the content (the checks still run).
  ContentScanner(const ContentLimits& limits, ContentSink sink);

  // Takes the next bytes of content, already unstuffed.
  void write(std::string_view content);

  // Ends the content: a CR still waiting for its LF is bare, and a last line without CRLF
  // (possible with BDAT) gets one, so the stored message always ends in CRLF. Flushes.
  void finish();

  // Hands what is buffered to the sink.
  void flush();

  ContentFault fault() const { return fault_; }
  std::uint64_t content_octets() const { return content_octets_; }
  std::uint64_t header_octets() const { return header_octets_; }
  std::size_t header_field_count() const { return header_fields_; }
  std::size_t received_field_count() const { return received_fields_; }
  bool saw_eight_bit() const { return saw_eight_bit_; }
  bool in_header() const { return in_header_; }

 private:
  void add_text(std::string_view run);
  void add_text_byte(char c);
  void add_bare_line_ending(char c);
  void end_line();
  bool can_take_in_bulk(std::size_t octets) const;
  void start_header_line(char c);
  void match_field_name(char c);
  void check_bounds();
  void fail(ContentFault fault);
  void emit(std::string_view text);

  ContentLimits limits_;
  ContentSink sink_;
  std::string out_;
  ContentFault fault_ = ContentFault::none;

  std::uint64_t content_octets_ = 0;
  std::uint64_t header_octets_ = 0;
  std::size_t line_octets_ = 0;
  std::size_t header_fields_ = 0;
  std::size_t received_fields_ = 0;
  bool cr_pending_ = false;
  bool in_header_ = true;
  bool saw_eight_bit_ = false;

  // While the first line of a header field is read, how much of "Received" it matched.
  bool matching_name_ = false;
  std::size_t name_matched_octets_ = 0;
};

}  // namespace gateway::smtp
