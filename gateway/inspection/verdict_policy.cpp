#include "gateway/inspection/verdict_policy.hpp"

namespace gateway::inspection {

std::string printable_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      out += '?';
    }
  }
  return out;
}

namespace {

// Names longer than this are cut in the notice (its lines have a length limit).
constexpr std::size_t notice_name_size_max = 200;

std::string notice_text(const File& file, std::string_view why) {
  std::string name = printable_name(file.file_name);
  if (name.size() > notice_name_size_max) {
    name = name.substr(0, notice_name_size_max) + "...";
  }
  return "An attachment was removed from this message by the mail gateway.\r\n"
         "\r\n"
         "File:   " +
         name +
         "\r\n"
         "SHA256: " +
         file.sha256 +
         "\r\n"
         "Reason: " +
         std::string(why) + "\r\n";
}

}  // namespace

FileDecision decide(const File& file, const emulation::Judgement& judgement, FailMode fail_mode) {
  using emulation::Verdict;
  FileDecision decision;
  std::string value = "\"" + printable_name(file.file_name) + "\" sha256=" + file.sha256 + "; ";
  switch (judgement.verdict) {
    case Verdict::benign:
      value += "benign";
      break;
    case Verdict::malicious:
      value += "malicious; removed";
      decision.removed = true;
      decision.notice = notice_text(file, "the threat-emulation sandbox found it malicious");
      break;
    case Verdict::not_scanned: {
      const std::string reason(
          emulation::reason_name(judgement.reason.value_or(emulation::NotScannedReason::error)));
      value += "not-scanned (" + reason + "); ";
      if (fail_mode == FailMode::open) {
        value += "delivered";
      } else {
        value += "removed";
        decision.removed = true;
        decision.notice = notice_text(file, "it could not be scanned (" + reason + ")");
      }
      break;
    }
  }
  decision.field_value = std::move(value);
  return decision;
}

}  // namespace gateway::inspection
