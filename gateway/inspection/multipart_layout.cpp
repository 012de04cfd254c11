#include "gateway/inspection/multipart_layout.hpp"

#include <algorithm>
#include <string>

#include "gateway/inspection/header_block.hpp"
#include "gateway/inspection/source_lines.hpp"

namespace gateway::inspection {
namespace {

enum class LineKind { other, delimiter, close_delimiter, near_delimiter };

LineKind classify(std::string_view line, std::string_view marker, bool truncated) {
  if (!line.starts_with(marker)) {
    return LineKind::other;
  }
  std::string_view rest = line.substr(marker.size());
  LineKind kind = LineKind::delimiter;
  if (rest.starts_with("--")) {
    kind = LineKind::close_delimiter;
    rest.remove_prefix(2);
  }
  // RFC 2046 allows only blanks ("transport padding") after the boundary.
  if (truncated || rest.find_first_not_of(" \t") != std::string_view::npos) {
    return LineKind::near_delimiter;
  }
  return kind;
}

// Lines in text that readers never show but a lax reader might parse as structure.
bool looks_like_structure(std::string_view line) {
  const std::string lower = to_lower(line.substr(0, 32));
  return line.starts_with("--") || lower.starts_with("content-") || lower.starts_with("begin ") ||
         lower.starts_with("begin-base64 ");
}

}  // namespace

runtime::Result<MultipartLayout> scan_multipart(ContentSource& source, ByteRange body,
                                                std::string_view boundary) {
  const std::string marker = "--" + std::string(boundary);
  MultipartLayout layout;
  layout.preamble = {body.begin, body.begin};
  layout.epilogue = {body.end, body.end};

  SourceLines lines(source, body);
  bool in_part = false;
  std::uint64_t part_begin = 0;      // where the current part starts, while in_part
  std::uint64_t previous_break = 0;  // size of the line break before this line
  bool in_preamble = true;
  for (;;) {
    auto next = lines.next();
    if (!next) {
      return next.error();
    }
    if (!*next) {
      break;
    }
    const SourceLine& line = **next;
    const LineKind kind = classify(line.head, marker, line.truncated);

    if (layout.closed) {
      layout.epilogue_suspicious = layout.epilogue_suspicious || looks_like_structure(line.head);
      continue;
    }
    if (kind == LineKind::near_delimiter) {
      layout.near_delimiter = true;
    }
    if (kind != LineKind::delimiter && kind != LineKind::close_delimiter) {
      if (in_preamble) {
        layout.preamble_suspicious = layout.preamble_suspicious || looks_like_structure(line.head);
      }
      previous_break = line.line_break_size();
      continue;
    }

    // The line break before the delimiter is part of it, unless nothing precedes it.
    const std::uint64_t text_end =
        line.begin > body.begin ? line.begin - previous_break : line.begin;
    if (in_preamble) {
      layout.preamble.end = std::max(text_end, body.begin);
      in_preamble = false;
    } else if (in_part) {
      layout.parts.push_back({part_begin, std::max(text_end, part_begin)});
    }
    in_part = true;
    part_begin = line.end;
    previous_break = line.line_break_size();
    if (kind == LineKind::close_delimiter) {
      layout.closed = true;
      layout.epilogue = {line.end, body.end};
      in_part = false;
    }
  }

  if (in_preamble) {
    // No delimiter at all: everything is preamble and there are no parts.
    layout.preamble.end = body.end;
  } else if (in_part) {
    layout.parts.push_back({part_begin, body.end});
  }
  return layout;
}

}  // namespace gateway::inspection
