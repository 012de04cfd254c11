// Reads SMTP replies as a client does (RFC 5321 4.2): one or more lines, every line but the
// last with "-" after the code, the last with a space or nothing, all with the same code.
// Bytes arrive in arbitrary chunks; several pipelined replies may arrive in one chunk
// (RFC 2920), so feed() stops after each complete reply and reports what it consumed.
//
// Tolerances: a line may end in a bare LF (some servers send one); the enhanced status code
// is taken from the first line when it is well formed and of the reply's class, and is
// removed from every line that repeats it. Everything else that breaks the grammar makes
// the reply malformed, after which the connection cannot be trusted and the parser stays
// failed.
#pragma once

#include <cstddef>
#include <string_view>

#include "gateway/smtp/line_reader.hpp"
#include "gateway/smtp/reply.hpp"

namespace gateway::smtp {

struct ReplyParserLimits {
  // RFC 5321 4.5.3.1.5 allows servers 512 octets per reply line but asks clients to accept
  // longer ones where they can; four times that is generous and still bounded.
  std::size_t line_octets_max = 4 * reply_line_octets_max;

  // A multi-line reply (an EHLO reply is the longest in practice) may have this many lines.
  std::size_t lines_max = 100;
};

enum class ReplyStatus {
  incomplete,  // every byte given was consumed; the reply goes on
  complete,    // a reply ended; take it with take_reply()
  malformed,   // the reply broke the grammar or a bound; see fault()
};

// TODO: these faults are this file's own enum rather than entries in the project's error
// table (runtime/error.hpp), so the delivery client has to map them to error codes itself
// until they move there.
enum class ReplyFault {
  none,
  line_too_long,   // a line exceeded ReplyParserLimits::line_octets_max
  too_many_lines,  // the reply exceeded ReplyParserLimits::lines_max
  bad_code,        // a line does not start with a reply code of 2yz to 5yz
  bad_separator,   // the code is followed by something other than space, "-" or the end
  code_mismatch,   // a continuation line carries a different code than the first
};

struct ReplyStep {
  std::size_t consumed_octets = 0;
  ReplyStatus status = ReplyStatus::incomplete;
};

// A stable name for logs and traces, such as "code_mismatch".
std::string_view fault_name(ReplyFault fault);

class ReplyParser {
 public:
  explicit ReplyParser(ReplyParserLimits limits = {});

  // Consumes bytes up to the end of one reply. After `complete`, call take_reply() and feed
  // the unconsumed rest again. After `malformed`, nothing more is consumed.
  ReplyStep feed(std::string_view input);

  // The completed reply; the parser then starts on the next one.
  Reply take_reply();

  ReplyFault fault() const { return fault_; }

 private:
  ReplyStatus accept_line(std::string_view line);
  ReplyStatus fail(ReplyFault fault);
  void split_enhanced_status();

  ReplyParserLimits limits_;
  LineReader lines_;
  Reply reply_;
  bool complete_ = false;
  ReplyFault fault_ = ReplyFault::none;
};

}  // namespace gateway::smtp
