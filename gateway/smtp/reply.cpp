#include "gateway/smtp/reply.hpp"

#include <cassert>
#include <cstddef>

#include "gateway/smtp/ascii.hpp"

namespace gateway::smtp {
namespace {

// RFC 3463 2: subject and detail are each one to three digits.
constexpr std::size_t status_part_digits_max = 3;

// Consumes one to three digits from the front of `text`; false if there are none or more.
bool consume_status_number(std::string_view& text) {
  std::size_t digits = 0;
  while (digits < text.size() && ascii::is_digit(text[digits])) {
    ++digits;
  }
  if (digits == 0 || digits > status_part_digits_max) {
    return false;
  }
  text.remove_prefix(digits);
  return true;
}

char sanitized(char c) {
  const bool text_char = c == ascii::horizontal_tab || (c >= ' ' && c < ascii::delete_char);
  return text_char ? c : '?';
}

void append_line(std::string& out, const Reply& reply, char separator, std::string_view text) {
  out += std::to_string(reply.code);

  // A final line with neither status nor text is the bare code (RFC 5321 4.2's grammar).
  if (separator == ' ' && reply.enhanced.empty() && text.empty()) {
    out += ascii::crlf;
    return;
  }
  out += separator;
  out += reply.enhanced;
  if (!reply.enhanced.empty() && !text.empty()) {
    out += ' ';
  }
  for (char c : text) {
    out += sanitized(c);
  }
  out += ascii::crlf;
}

}  // namespace

bool is_enhanced_status_code(std::string_view text) {
  // The class is a single digit: 2 success, 4 persistent transient, 5 permanent.
  if (text.size() < 2 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
    return false;
  }
  text.remove_prefix(2);

  // Subject, a dot, detail, and nothing after.
  if (!consume_status_number(text) || text.empty() || text.front() != '.') {
    return false;
  }
  text.remove_prefix(1);
  return consume_status_number(text) && text.empty();
}

void append_wire(std::string& out, const Reply& reply) {
  assert(reply.code >= reply_code_min && reply.code <= reply_code_max);
  assert(reply.enhanced.empty() || is_enhanced_status_code(reply.enhanced));
  assert(reply.enhanced.empty() || reply.enhanced[0] - '0' == reply.reply_class());

  if (reply.lines.empty()) {
    append_line(out, reply, ' ', {});
    return;
  }
  for (std::size_t i = 0; i < reply.lines.size(); ++i) {
    const bool last = i + 1 == reply.lines.size();
    append_line(out, reply, last ? ' ' : '-', reply.lines[i]);
  }
}

std::string to_wire(const Reply& reply) {
  std::string out;
  append_wire(out, reply);
  return out;
}

}  // namespace gateway::smtp
