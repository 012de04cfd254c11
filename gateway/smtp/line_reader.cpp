#include "gateway/smtp/line_reader.hpp"

#include <cassert>

#include "gateway/smtp/ascii.hpp"

namespace gateway::smtp {
namespace {

// The shortest bound that still holds a one-octet line and its CRLF.
constexpr std::size_t line_octets_min = 3;

}  // namespace

LineReader::LineReader(std::size_t line_octets_max, LineEnding ending)
    : line_octets_max_(line_octets_max), ending_(ending) {
  assert(line_octets_max_ >= line_octets_min);
}

LineStep LineReader::feed(std::string_view input) {
  for (std::size_t i = 0; i < input.size(); ++i) {
    const char c = input[i];

    // The line ends here if the rule accepts this LF as a line ending.
    if (c == ascii::lf && (ending_ == LineEnding::lf_or_crlf || last_was_cr_)) {
      return finish_line(i + 1);
    }
    last_was_cr_ = c == ascii::cr;

    // Keep the byte while the line can still fit. The buffer may hold one octet more than
    // the line itself, a trailing CR that turns out to be half of the CRLF.
    if (discarding_) {
      continue;
    }
    if (buffer_.size() + 1 > line_octets_max_ - 1) {
      discarding_ = true;
      buffer_.clear();
      continue;
    }
    buffer_ += c;
  }
  return {input.size(), LineStatus::incomplete};
}

LineStep LineReader::finish_line(std::size_t consumed_octets) {
  last_was_cr_ = false;

  // A line that outgrew the bound was discarded on the way; report it once.
  if (discarding_) {
    discarding_ = false;
    return {consumed_octets, LineStatus::too_long};
  }

  // Drop the CR of the CRLF, then check the line with its two-octet ending against the bound
  // (a bare-LF line in lf_or_crlf mode may still be one octet too long here).
  if (!buffer_.empty() && buffer_.back() == ascii::cr) {
    buffer_.pop_back();
  }
  const bool fits = buffer_.size() + ascii::crlf.size() <= line_octets_max_;
  line_.swap(buffer_);
  buffer_.clear();
  if (!fits) {
    line_.clear();
    return {consumed_octets, LineStatus::too_long};
  }
  return {consumed_octets, LineStatus::line};
}

}  // namespace gateway::smtp
