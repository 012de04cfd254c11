// What the gateway does with one file once the sandbox has judged it (or could not), and
// the words it uses to say so: the X-Threat-Emulation field value of DESIGN.md and the
// notice that stands where a removed file was. Pure functions: no I/O, no clock.
//
//   benign                          kept      "<name>" sha256=<hex>; benign
//   malicious                       removed   "<name>" sha256=<hex>; malicious; removed
//   not scanned, fail mode open     kept      "<name>" sha256=<hex>; not-scanned (<reason>);
//   delivered not scanned, fail mode close    removed   "<name>" sha256=<hex>; not-scanned
//   (<reason>); removed
//
// A file the MIME reader could not read unambiguously is not scanned for the reason
// `unparseable`; its sha256 is of the bytes one reading gives, or of nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gateway/config_enums.hpp"
#include "gateway/emulation/judgement.hpp"
#include "gateway/inspection/message_analysis.hpp"

namespace gateway::inspection {

inline constexpr std::string_view verdict_field_name = "X-Threat-Emulation";
// The whole field value of a message with nothing to inspect.
inline constexpr std::string_view no_files_value = "no-files";

struct FileDecision {
  bool removed = false;
  std::string field_value;            // the X-Threat-Emulation value for this file
  std::optional<std::string> notice;  // the text that replaces the file, when removed
};

FileDecision decide(const File& file, const emulation::Judgement& judgement, FailMode fail_mode);

// A file name as it may stand inside the field's quotes and in a notice: printable
// US-ASCII kept, `"` and `\` escaped, every other byte (UTF-8 included) written as `?`.
// The sha256 next to it names the file exactly.
std::string printable_name(std::string_view name);

}  // namespace gateway::inspection
