#include "gateway/inspection/embedded_blocks.hpp"

#include <optional>

#include "gateway/inspection/source_lines.hpp"

namespace gateway::inspection {
namespace {

struct BlockStart {
  std::string file_name;
  bool base64 = false;
};

// Reads "begin <mode> <name>" or "begin-base64 <mode> <name>", mode being octal digits.
std::optional<BlockStart> block_start(std::string_view line) {
  BlockStart start;
  if (line.starts_with("begin-base64 ")) {
    start.base64 = true;
    line.remove_prefix(13);
  } else if (line.starts_with("begin ")) {
    line.remove_prefix(6);
  } else {
    return std::nullopt;
  }
  const auto mode_end = line.find(' ');
  const std::string_view mode = line.substr(0, mode_end);
  if (mode_end == std::string_view::npos || mode.size() < 3 || mode.size() > 4 ||
      mode.find_first_not_of("01234567") != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view name = line.substr(mode_end + 1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
    name.remove_suffix(1);
  }
  if (name.empty()) {
    return std::nullopt;
  }
  start.file_name = std::string(name);
  return start;
}

}  // namespace

runtime::Result<std::vector<EmbeddedBlock>> find_embedded_blocks(ContentSource& source,
                                                                 ByteRange text) {
  std::vector<EmbeddedBlock> blocks;
  std::optional<EmbeddedBlock> open;
  SourceLines lines(source, text);
  for (;;) {
    auto next = lines.next();
    if (!next) {
      return next.error();
    }
    if (!*next) {
      break;
    }
    const SourceLine& line = **next;
    if (!open) {
      if (auto start = block_start(line.head)) {
        open = EmbeddedBlock{start->file_name,
                             {line.begin, text.end},
                             start->base64 ? TransferEncoding::base64 : TransferEncoding::uuencode};
        if (start->base64) {
          open->range.begin = line.end;
        }
      }
      continue;
    }
    const bool base64 = open->encoding == TransferEncoding::base64;
    if (base64 && line.head == "====") {
      open->range.end = line.begin;
    } else if (!base64 && line.head == "end") {
      open->range.end = line.end;
    } else {
      continue;
    }
    blocks.push_back(std::move(*open));
    open.reset();
  }
  if (open) {
    blocks.push_back(std::move(*open));
  }
  return blocks;
}

}  // namespace gateway::inspection
