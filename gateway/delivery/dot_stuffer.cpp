#include "gateway/delivery/dot_stuffer.hpp"

namespace gateway {

std::string_view DotStuffer::encode(std::string_view chunk) {
  out_.clear();
  out_.reserve(chunk.size() + chunk.size() / 2);
  for (char c : chunk) {
    if (at_line_start_ && c == '.') {
      out_ += '.';
    }
    out_ += c;
    at_line_start_ = after_cr_ && c == '\n';
    after_cr_ = c == '\r';
  }
  content_octets_ += chunk.size();
  return out_;
}

std::string_view DotStuffer::finish() const {
  // Empty content and content ending in CRLF are both at the start of a line.
  return at_line_start_ ? ".\r\n" : "\r\n.\r\n";
}

}  // namespace gateway
