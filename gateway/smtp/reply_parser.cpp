#include "gateway/smtp/reply_parser.hpp"

#include <cassert>
#include <utility>

#include "gateway/smtp/ascii.hpp"

namespace gateway::smtp {
namespace {

constexpr std::size_t code_digits = 3;

// RFC 5321 4.2: the first digit is 2 to 5, the second 0 to 5, the third any digit.
bool is_reply_code(std::string_view line) {
  return line.size() >= code_digits && line[0] >= '2' && line[0] <= '5' && line[1] >= '0' &&
         line[1] <= '5' && ascii::is_digit(line[2]);
}

int code_value(std::string_view line) {
  constexpr int base = 10;
  return ((line[0] - '0') * base + (line[1] - '0')) * base + (line[2] - '0');
}

}  // namespace

std::string_view fault_name(ReplyFault fault) {
  switch (fault) {
    case ReplyFault::none:
      return "none";
    case ReplyFault::line_too_long:
      return "line_too_long";
    case ReplyFault::too_many_lines:
      return "too_many_lines";
    case ReplyFault::bad_code:
      return "bad_code";
    case ReplyFault::bad_separator:
      return "bad_separator";
    case ReplyFault::code_mismatch:
      return "code_mismatch";
  }
  return "unknown";
}

ReplyParser::ReplyParser(ReplyParserLimits limits)
    : limits_(limits), lines_(limits.line_octets_max, LineEnding::lf_or_crlf) {
  assert(limits_.lines_max > 0);
}

ReplyStep ReplyParser::feed(std::string_view input) {
  assert(!complete_ && "take_reply() before feeding the next reply");
  if (fault_ != ReplyFault::none) {
    return {0, ReplyStatus::malformed};
  }

  // Take lines until one completes the reply, fails it, or the input runs out.
  std::size_t consumed = 0;
  while (consumed < input.size()) {
    const LineStep step = lines_.feed(input.substr(consumed));
    consumed += step.consumed_octets;
    if (step.status == LineStatus::incomplete) {
      break;
    }
    if (step.status == LineStatus::too_long) {
      return {consumed, fail(ReplyFault::line_too_long)};
    }
    const ReplyStatus status = accept_line(lines_.line());
    if (status != ReplyStatus::incomplete) {
      return {consumed, status};
    }
  }
  return {consumed, ReplyStatus::incomplete};
}

Reply ReplyParser::take_reply() {
  assert(complete_);
  Reply reply = std::move(reply_);
  reply_ = Reply{};
  complete_ = false;
  return reply;
}

ReplyStatus ReplyParser::accept_line(std::string_view line) {
  // Every line starts with the same valid code.
  if (!is_reply_code(line)) {
    return fail(ReplyFault::bad_code);
  }
  const int code = code_value(line);
  if (!reply_.lines.empty() && code != reply_.code) {
    return fail(ReplyFault::code_mismatch);
  }
  if (reply_.lines.size() >= limits_.lines_max) {
    return fail(ReplyFault::too_many_lines);
  }
  reply_.code = code;

  // After the code: nothing or a space ends the reply, "-" continues it.
  const std::string_view rest = line.substr(code_digits);
  const bool last = rest.empty() || rest.front() == ' ';
  if (!last && rest.front() != '-') {
    return fail(ReplyFault::bad_separator);
  }
  reply_.lines.emplace_back(rest.empty() ? rest : rest.substr(1));
  if (!last) {
    return ReplyStatus::incomplete;
  }
  split_enhanced_status();
  complete_ = true;
  return ReplyStatus::complete;
}

ReplyStatus ReplyParser::fail(ReplyFault fault) {
  fault_ = fault;
  reply_ = Reply{};
  return ReplyStatus::malformed;
}

void ReplyParser::split_enhanced_status() {
  // RFC 2034 3: the status code leads the text of every line; take it from the first line.
  const std::string& first = reply_.lines.front();
  const std::string_view candidate = std::string_view(first).substr(0, first.find(' '));
  if (!is_enhanced_status_code(candidate) || candidate[0] - '0' != reply_.reply_class()) {
    return;
  }
  reply_.enhanced = std::string(candidate);

  // Remove it, and the space after it, from every line that repeats it.
  const std::size_t status_octets = reply_.enhanced.size();
  for (std::string& text : reply_.lines) {
    const std::string_view view(text);
    if (view.substr(0, status_octets) != reply_.enhanced) {
      continue;
    }
    if (view.size() == status_octets) {
      text.clear();
    } else if (view[status_octets] == ' ') {
      text.erase(0, status_octets + 1);
    }
  }
}

}  // namespace gateway::smtp
