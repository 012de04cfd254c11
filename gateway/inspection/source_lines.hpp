// Reads a byte range of a ContentSource line by line with a fixed buffer, so that scanning
// a part for boundaries or header fields costs the buffer, not the part. A line longer than
// the buffer is still one line, but only its head is kept: structure decisions (delimiters,
// header names) never need more than the first few hundred bytes of a line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/inspection/byte_range.hpp"
#include "gateway/inspection/content_source.hpp"

namespace gateway::inspection {

struct SourceLine {
  std::uint64_t begin = 0;        // offset of the first byte
  std::uint64_t content_end = 0;  // offset of the line break (or of `end` when there is none)
  std::uint64_t end = 0;          // offset just after the line break
  std::string_view head;          // the first bytes of the content, without the line break
  bool truncated = false;         // the content is longer than `head`

  std::uint64_t line_break_size() const { return end - content_end; }
  bool empty() const { return content_end == begin; }
};

class SourceLines {
 public:
  static constexpr std::size_t buffer_size_bytes = 64 * 1024;
  static constexpr std::size_t head_size_bytes = 8 * 1024;

  SourceLines(ContentSource& source, ByteRange range);

  // The next line, or nullopt at the end of the range. A last line without a line break
  // ends at the range's end. Errors: those of ContentSource::read_at.
  runtime::Result<std::optional<SourceLine>> next();

  // Where the next line starts.
  std::uint64_t position() const { return position_; }

 private:
  // Makes sure the buffer holds at least one more byte from position_; false at the end.
  runtime::Result<bool> fill();

  ContentSource& source_;
  ByteRange range_;
  std::uint64_t position_ = 0;
  std::string buffer_;
  std::uint64_t buffer_offset_ = 0;  // source offset of buffer_[0]
  std::string head_;
};

}  // namespace gateway::inspection
