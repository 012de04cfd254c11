#include "gateway/inspection/rewriter.hpp"

#include <algorithm>
#include <vector>

#include "gateway/inspection/header_block.hpp"
#include "gateway/inspection/source_lines.hpp"

namespace gateway::inspection {
namespace {

constexpr std::size_t copy_chunk_size_bytes = 64 * 1024;
// Notice lines stay well under the 998 octets RFC 5322 2.1.1 allows.
constexpr std::size_t notice_line_size_max = 900;
// The top-level header may be as large as the SMTP limits let it be.
constexpr std::uint64_t top_header_size_bytes_max = 2 * 1024 * 1024;

runtime::error_code invalid_plan() {
  return make_error_code(boost::system::errc::invalid_argument);
}

// The notice's lines, checked: printable US-ASCII and tabs only, none starting with "--"
// (it could close a multipart), none too long. Trailing empty lines are dropped because
// the line break before the next delimiter already ends the part.
runtime::Result<std::vector<std::string>> notice_lines(std::string_view notice) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= notice.size()) {
    std::size_t stop = notice.find('\n', start);
    if (stop == std::string_view::npos) {
      stop = notice.size();
    }
    std::string line(notice.substr(start, stop - start));
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const bool clean = std::all_of(line.begin(), line.end(),
                                   [](char c) { return (c >= ' ' && c < 127) || c == '\t'; });
    if (!clean || line.starts_with("--") || line.size() > notice_line_size_max) {
      return invalid_plan();
    }
    lines.push_back(std::move(line));
    start = stop + 1;
  }
  while (!lines.empty() && lines.back().empty()) {
    lines.pop_back();
  }
  return lines;
}

bool valid_field(const AddedField& field) {
  const bool name_ok =
      !field.name.empty() && std::all_of(field.name.begin(), field.name.end(),
                                         [](char c) { return c > ' ' && c < 127 && c != ':'; });
  return name_ok && field.value.find_first_of("\r\n") == std::string::npos;
}

// The message's line break, taken from its first line.
runtime::Result<std::string> line_break_of(ContentSource& message) {
  SourceLines lines(message, {0, message.size()});
  auto first = lines.next();
  if (!first) {
    return first.error();
  }
  return *first && (*first)->line_break_size() == 1 ? std::string("\n") : std::string("\r\n");
}

runtime::Result<void> copy_range(ContentSource& message, ByteRange range, const ChunkSink& sink) {
  std::string buffer;
  for (std::uint64_t offset = range.begin; offset < range.end;) {
    buffer.resize(std::min<std::uint64_t>(copy_chunk_size_bytes, range.end - offset));
    auto count = message.read_at(offset, std::span(buffer));
    if (!count) {
      return count.error();
    }
    if (*count == 0) {
      return runtime::make_error_code(runtime::Error::corrupt_record);
    }
    buffer.resize(*count);
    if (auto sent = sink(buffer); !sent) {
      return sent;
    }
    offset += *count;
  }
  return {};
}

// One range of the original to be replaced, with the notices of every file it covers.
struct Replacement {
  ByteRange range;
  Placement placement = Placement::part;
  std::vector<std::string> notices;
};

void add_notice(std::vector<std::string>& notices, const std::string& notice) {
  if (std::find(notices.begin(), notices.end(), notice) == notices.end()) {
    notices.push_back(notice);
  }
}

// Sorts replacements and folds those inside another into it (several files of one part:
// uuencoded blocks of one text, files of one encoded nested message).
std::vector<Replacement> merge(std::vector<Replacement> replacements) {
  std::sort(replacements.begin(), replacements.end(), [](const auto& a, const auto& b) {
    return a.range.begin != b.range.begin ? a.range.begin < b.range.begin
                                          : a.range.end > b.range.end;
  });
  std::vector<Replacement> merged;
  for (auto& replacement : replacements) {
    if (!merged.empty() && replacement.range.begin < merged.back().range.end) {
      auto& outer = merged.back();
      outer.range.end = std::max(outer.range.end, replacement.range.end);
      for (const auto& notice : replacement.notices) {
        add_notice(outer.notices, notice);
      }
      continue;
    }
    merged.push_back(std::move(replacement));
  }
  return merged;
}

// The notices of a replacement joined into lines ending in `line_break` but for the last.
runtime::Result<std::string> notice_text(const std::vector<std::string>& notices,
                                         const std::string& line_break) {
  std::string text;
  for (const auto& notice : notices) {
    auto lines = notice_lines(notice);
    if (!lines) {
      return lines.error();
    }
    for (const auto& line : *lines) {
      if (!text.empty()) {
        text += line_break;
      }
      text += line;
    }
  }
  return text;
}

std::string notice_fields(const std::string& line_break) {
  return "Content-Type: text/plain; charset=us-ascii" + line_break + "Content-Disposition: inline" +
         line_break + "Content-Transfer-Encoding: 7bit" + line_break;
}

bool is_content_field(std::string_view name) {
  return equals_ignoring_case(name, "Content-Type") ||
         equals_ignoring_case(name, "Content-Transfer-Encoding") ||
         equals_ignoring_case(name, "Content-Disposition");
}

// Writes the top-level header: added fields, then the original lines but for removed ones
// (and but for the content fields when the body is replaced by `body_notice`).
runtime::Result<void> write_header(ContentSource& message, const HeaderBlock& header,
                                   const RewritePlan& plan, const std::string& line_break,
                                   bool body_replaced, const ChunkSink& sink) {
  std::string added;
  for (const auto& field : plan.added_fields) {
    added += field.name + ": " + field.value + line_break;
  }
  if (auto sent = sink(added); !sent) {
    return sent;
  }

  std::uint64_t cursor = 0;
  for (const auto& field : header.fields) {
    const bool removed = std::any_of(
        plan.removed_fields.begin(), plan.removed_fields.end(),
        [&](const std::string& name) { return equals_ignoring_case(name, field.name); });
    if (!removed && !(body_replaced && is_content_field(field.name))) {
      continue;
    }
    if (auto copied = copy_range(message, {cursor, field.range.begin}, sink); !copied) {
      return copied;
    }
    cursor = field.range.end;
  }
  return copy_range(message, {cursor, header.fields_end}, sink);
}

}  // namespace

runtime::Result<void> rewrite(ContentSource& message, const MessageAnalysis& analysis,
                              const RewritePlan& plan, const ChunkSink& sink) {
  if (plan.notices.size() != analysis.files.size() ||
      !std::all_of(plan.added_fields.begin(), plan.added_fields.end(), valid_field)) {
    return invalid_plan();
  }
  auto line_break = line_break_of(message);
  if (!line_break) {
    return line_break.error();
  }

  // Gather what is replaced: the message body apart, parts and loose text by range.
  std::vector<std::string> body_notices;
  std::vector<Replacement> replacements;
  for (std::size_t i = 0; i < analysis.files.size(); ++i) {
    if (!plan.notices[i]) {
      continue;
    }
    const File& file = analysis.files[i];
    if (file.placement == Placement::message_body) {
      add_notice(body_notices, *plan.notices[i]);
    } else {
      replacements.push_back({file.part_range, file.placement, {*plan.notices[i]}});
    }
  }

  auto header = read_header_block(message, {0, message.size()}, top_header_size_bytes_max);
  if (!header) {
    return header.error();
  }
  const bool body_replaced = !body_notices.empty();
  if (auto written = write_header(message, *header, plan, *line_break, body_replaced, sink);
      !written) {
    return written;
  }

  if (body_replaced) {
    auto text = notice_text(body_notices, *line_break);
    if (!text) {
      return text.error();
    }
    return sink(notice_fields(*line_break) + *line_break + *text + *line_break);
  }

  // The empty line, then the body with each replaced range swapped for its notice.
  std::uint64_t cursor = header->fields_end;
  for (const auto& replacement : merge(std::move(replacements))) {
    if (auto copied = copy_range(message, {cursor, replacement.range.begin}, sink); !copied) {
      return copied;
    }
    auto text = notice_text(replacement.notices, *line_break);
    if (!text) {
      return text.error();
    }
    const std::string fields =
        replacement.placement == Placement::part ? notice_fields(*line_break) + *line_break : "";
    if (auto sent = sink(fields + *text); !sent) {
      return sent;
    }
    cursor = std::max(cursor, replacement.range.end);
  }
  return copy_range(message, {cursor, message.size()}, sink);
}

}  // namespace gateway::inspection
