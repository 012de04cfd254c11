// Writes the version of a message that is delivered: some files replaced by a short text
// notice, the top-level header with fields removed and added, every other byte copied
// verbatim from the original by range. A message where every file is kept comes out
// byte-identical apart from the header fields removed and added.
//
// A replaced part becomes a text/plain; charset=us-ascii part (inline, 7bit) holding the
// notice, in the same place between the same delimiters, so no new boundary is needed. A
// replaced message body (a top-level attachment, or uuencoded files in a top-level text)
// keeps its header but for the content fields, which describe the notice instead. A file
// inside an encoded nested message replaces the whole message part that holds it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/inspection/message_analysis.hpp"

namespace gateway::inspection {

struct AddedField {
  std::string name;
  std::string value;  // one line: the caller folds or encodes as it needs
};

struct RewritePlan {
  // One entry per file of the analysis, in its order: nullopt keeps the file, a text
  // replaces it by that notice (US-ASCII; line breaks are written as the message's own).
  std::vector<std::optional<std::string>> notices;
  // Names of top-level header fields to drop, every occurrence, compared case-insensitively.
  std::vector<std::string> removed_fields;
  // Fields written first in the top-level header, in this order.
  std::vector<AddedField> added_fields;
};

// Streams the rewritten message to `sink`. Errors: those of the source and the sink;
// errc::invalid_argument when the plan does not fit the analysis (entry count) or holds
// text that would break the message (non-ASCII or over-long notice lines, a notice line
// starting with "--", a field name that is not a token, a line break in a field value).
runtime::Result<void> rewrite(ContentSource& message, const MessageAnalysis& analysis,
                              const RewritePlan& plan, const ChunkSink& sink);

}  // namespace gateway::inspection
