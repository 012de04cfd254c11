// Where a multipart body's parts lie, found by scanning for its delimiter lines (RFC 2046
// section 5.1.1): "--" boundary, optional blanks, line break; "--" boundary "--" closes.
// The line break before a delimiter belongs to the delimiter, so a part's range ends just
// before it and replacing the range keeps the structure intact.
#pragma once

#include <string_view>
#include <vector>

#include "gateway/inspection/byte_range.hpp"
#include "gateway/inspection/content_source.hpp"

namespace gateway::inspection {

struct MultipartLayout {
  ByteRange preamble;
  std::vector<ByteRange> parts;
  ByteRange epilogue;
  bool closed = false;  // the close delimiter was found
  // A line starting with "--" boundary that is not a delimiter: some readers take such a
  // line as one, so the split is ambiguous.
  bool near_delimiter = false;
  // The preamble or epilogue holds lines that look like MIME structure (delimiters, content
  // fields, uuencode): a reader that ignores the declared boundary may find parts there.
  bool preamble_suspicious = false;
  bool epilogue_suspicious = false;
};

// Scans `body` for the delimiters of `boundary`. A missing close delimiter leaves the last
// part running to the end of `body`, as readers do. Errors: those of the source.
runtime::Result<MultipartLayout> scan_multipart(ContentSource& source, ByteRange body,
                                                std::string_view boundary);

}  // namespace gateway::inspection
