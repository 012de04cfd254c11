// Encodes message content for the DATA phase (RFC 5321 4.5.2): a line that starts with
// "." gets one more "." in front, and the content ends with CRLF "." CRLF. Content comes
// in chunks split anywhere, even inside a CRLF, so a large message never has to be whole
// in memory.
//
// A line starts after CRLF, as the receiving side counts lines; a bare LF does not start
// one, so a "." after it is sent as it is and comes out as it went in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gateway {

class DotStuffer {
 public:
  // The chunk's bytes with dot-stuffing applied, valid until the next call.
  std::string_view encode(std::string_view chunk);

  // The end of the data: CRLF "." CRLF after content that does not end in CRLF (RFC 5321
  // 4.1.1.4 makes a last line without one end with it), "." CRLF otherwise.
  std::string_view finish() const;

  // Content bytes encoded so far, without the stuffed dots.
  std::uint64_t content_octets() const { return content_octets_; }

 private:
  std::string out_;
  bool at_line_start_ = true;  // the next byte starts a line
  bool after_cr_ = false;      // the last byte was CR
  std::uint64_t content_octets_ = 0;
};

}  // namespace gateway
