// An SMTP reply (RFC 5321 4.2): a three-digit code, an optional enhanced status code
// (RFC 3463, announced by ENHANCEDSTATUSCODES, RFC 2034) and one or more lines of text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::smtp {

// RFC 5321 4.2: the first digit of a reply code is 2 (completion), 3 (intermediate), 4
// (transient failure) or 5 (permanent failure). 1yz is defined but unused by SMTP.
inline constexpr int reply_code_min = 200;
inline constexpr int reply_code_max = 599;
inline constexpr int reply_class_divisor = 100;

// RFC 5321 4.5.3.1.5: a reply line holds at most 512 octets, code and CRLF included.
inline constexpr std::size_t reply_line_octets_max = 512;

struct Reply {
  int code = 0;

  // "class.subject.detail" such as "5.7.1", or empty. RFC 2034 3: the greeting, the replies
  // to EHLO and HELO, and intermediate (3yz) replies carry none.
  std::string enhanced;

  // The text of each line, without code, enhanced status or line ending. An empty vector
  // is sent as one line without text.
  std::vector<std::string> lines;

  int reply_class() const { return code / reply_class_divisor; }
  bool is_completion() const { return reply_class() == 2; }
  bool is_intermediate() const { return reply_class() == 3; }
  bool is_transient_failure() const { return reply_class() == 4; }
  bool is_permanent_failure() const { return reply_class() == 5; }

  friend bool operator==(const Reply&, const Reply&) = default;
};

// Whether `text` is an enhanced status code (RFC 3463 2): class 2, 4 or 5, a subject of one
// to three digits and a detail of one to three digits, separated by dots.
bool is_enhanced_status_code(std::string_view text);

// Appends `reply` in wire form: "250-" on every line but the last, "250 " on the last, the
// enhanced status code after the code on every line (RFC 2034 3), each line ending in CRLF.
// Bytes of the text outside printable US-ASCII and tab (RFC 5321 4.2's textstring) are sent
// as '?', so text derived from peer input can never end a line early or inject a reply.
// The code and the enhanced status code are the caller's: they are asserted, not repaired.
void append_wire(std::string& out, const Reply& reply);

std::string to_wire(const Reply& reply);

}  // namespace gateway::smtp
