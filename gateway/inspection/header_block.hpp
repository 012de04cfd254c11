// A part's header fields read as raw text, with their byte ranges. MIME readers pick one
// interpretation of a header block; reading it raw shows what they hide: repeated fields,
// repeated parameters, lines that are not fields at all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/inspection/byte_range.hpp"
#include "gateway/inspection/content_source.hpp"

namespace gateway::inspection {

struct HeaderField {
  std::string name;   // as written, without surrounding blanks
  std::string value;  // unfolded (line breaks removed, RFC 5322 2.2.3), blanks trimmed
  ByteRange range;    // the field's lines, continuation lines and line breaks included
};

struct HeaderBlock {
  std::vector<HeaderField> fields;
  std::uint64_t fields_end = 0;  // where the empty line starts, or the part's end without one
  std::uint64_t body_begin = 0;  // just after the empty line, or the part's end without one
  // A line before the empty line was neither a field nor a continuation, a line was too
  // long to read whole, or the block exceeded its size limit: readers disagree on where
  // such a block ends, so the part cannot be read unambiguously.
  std::string malformed;

  // Every field named `name` (case-insensitive), in order.
  std::vector<const HeaderField*> all(std::string_view name) const;
};

// Reads the header block at the start of `part`. Errors: those of the source.
runtime::Result<HeaderBlock> read_header_block(ContentSource& source, ByteRange part,
                                               std::uint64_t size_max);

// A structured field value split as RFC 2045 section 5.1 and RFC 2183 write it: a leading
// token (media type, disposition type) then `; name=value` parameters. Names are lower-
// cased; quoted values are unquoted; RFC 2231 and RFC 2047 encodings are left as written.
struct ParameterList {
  std::string token;  // lower-cased
  std::vector<std::pair<std::string, std::string>> parameters;

  // The values of every parameter named `name` (already lower-case), in order.
  std::vector<std::string> values(std::string_view name) const;
};

ParameterList parse_parameters(std::string_view value);

bool equals_ignoring_case(std::string_view a, std::string_view b);
std::string to_lower(std::string_view text);

}  // namespace gateway::inspection
