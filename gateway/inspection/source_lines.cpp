#include "gateway/inspection/source_lines.hpp"

#include <algorithm>
#include <cassert>
#include <span>

namespace gateway::inspection {

SourceLines::SourceLines(ContentSource& source, ByteRange range)
    : source_(source), range_(range), position_(range.begin), buffer_offset_(range.begin) {}

runtime::Result<bool> SourceLines::fill() {
  const std::uint64_t buffered_end = buffer_offset_ + buffer_.size();
  if (position_ < buffered_end) {
    return true;
  }
  if (position_ >= range_.end) {
    return false;
  }

  // Refill from position_, never past the range.
  const std::uint64_t wanted = std::min<std::uint64_t>(buffer_size_bytes, range_.end - position_);
  buffer_.resize(wanted);
  auto count = source_.read_at(position_, std::span(buffer_));
  // Result<bool> takes an error only when told so: an error_code also converts to bool.
  if (!count) {
    return runtime::Result<bool>(boost::system::in_place_error, count.error());
  }
  if (*count == 0) {
    return runtime::Result<bool>(boost::system::in_place_error,
                                 runtime::make_error_code(runtime::Error::corrupt_record));
  }
  buffer_.resize(*count);
  buffer_offset_ = position_;
  return true;
}

runtime::Result<std::optional<SourceLine>> SourceLines::next() {
  SourceLine line;
  line.begin = position_;
  head_.clear();
  bool carriage_return = false;  // the byte before the '\n' is '\r'
  char last_byte = '\0';
  for (;;) {
    auto more = fill();
    if (!more) {
      return more.error();
    }
    if (!*more) {
      // The range ended without a line break.
      if (position_ == line.begin) {
        return std::optional<SourceLine>();
      }
      line.content_end = line.end = position_;
      break;
    }

    // Take bytes up to and including the next '\n' in the buffer.
    const std::size_t from = position_ - buffer_offset_;
    const std::size_t newline = buffer_.find('\n', from);
    const std::size_t stop = newline == std::string::npos ? buffer_.size() : newline + 1;
    const std::size_t room = head_size_bytes + 1 - std::min(head_.size(), head_size_bytes + 1);
    head_.append(buffer_, from, std::min(stop - from, room));
    position_ = buffer_offset_ + stop;
    if (newline != std::string::npos) {
      carriage_return = newline > from ? buffer_[newline - 1] == '\r' : last_byte == '\r';
      line.end = position_;
      line.content_end = position_ - 1;
      break;
    }
    last_byte = buffer_[stop - 1];
  }

  // Drop the line break ("\r\n" or "\n") from the content.
  std::uint64_t content_size = line.content_end - line.begin;
  if (carriage_return && content_size > 0) {
    --line.content_end;
    --content_size;
  }
  line.truncated = content_size > head_size_bytes;
  head_.resize(std::min<std::uint64_t>(content_size, head_size_bytes));
  line.head = head_;
  return std::optional<SourceLine>(line);
}

}  // namespace gateway::inspection
