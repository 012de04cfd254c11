// Splits a byte stream into lines, bounded, for the command phase of the server and for the
// replies the client reads. Bytes arrive in arbitrary chunks; a line may be split anywhere.
//
// Two line-ending rules:
// - crlf_only (commands, RFC 5321 2.3.8): only CRLF ends a line. A bare CR or bare LF stays
//   inside the line, where the command parser refuses it. "MAIL FROM:<a>\nRCPT TO:<b>\r\n"
//   is therefore one line that gets 500, never two commands.
// - lf_or_crlf (replies read by the client): LF ends a line and a CR right before it is
//   dropped, to tolerate servers that send bare LF.
//
// A line longer than the bound is not kept: the reader discards bytes up to the end of that
// line and reports it as too long once, so a peer cannot make it buffer more than the bound.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gateway::smtp {

enum class LineEnding { crlf_only, lf_or_crlf };

enum class LineStatus {
  incomplete,  // every byte given was consumed and no line ended yet
  line,        // a line ended; line() holds it without its ending
  too_long,    // a line longer than the bound ended; its bytes were discarded
};

struct LineStep {
  std::size_t consumed_octets = 0;  // bytes of the input used, up to the end of one line
  LineStatus status = LineStatus::incomplete;
};

class LineReader {
 public:
  // `line_octets_max` counts the line and its CRLF (RFC 5321 4.5.3.1.4 counts that way).
  LineReader(std::size_t line_octets_max, LineEnding ending);

  // Consumes bytes up to and including the end of the first line that ends in `input`.
  // Bytes after it are not consumed: they belong to the next line or, after DATA, to the
  // message content, so the caller hands them on.
  LineStep feed(std::string_view input);

  // The last line that ended with status `line`; valid until the next feed().
  std::string_view line() const { return line_; }

  // Whether bytes of an unfinished line are held (for example, the peer closed mid-line).
  bool has_partial_line() const { return !buffer_.empty() || discarding_; }

 private:
  LineStep finish_line(std::size_t consumed_octets);

  std::size_t line_octets_max_;
  LineEnding ending_;
  std::string buffer_;
  std::string line_;
  bool discarding_ = false;
  bool last_was_cr_ = false;
};

}  // namespace gateway::smtp
