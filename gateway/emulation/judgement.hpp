// What inspection learns about one file: the sandbox's verdict, or that it could not say
// and why. The reasons are the outward words of the X-Threat-Emulation header
// ("not-scanned (<reason>)"), so their names are part of the contract.
#pragma once

#include <optional>
#include <string_view>

namespace gateway::emulation {

enum class Verdict {
  benign,
  malicious,
  not_scanned,  // the fail mode decides; the reason says why
};

enum class NotScannedReason {
  timeout,      // emulation.max_delay passed
  unreachable,  // no connection could be made
  error,        // HTTP or transport error, a malformed answer, 1008, 1009 or 1010
  no_quota,     // 1005
  overloaded,   // 1011 until the deadline
  unsupported,  // 1007
  unknown,      // 1001 with the verdict "unknown"
  unparseable,  // the message's structure hides what the file is (decided by the MIME reader)
};

struct Judgement {
  static Judgement of(Verdict verdict) { return Judgement{verdict, std::nullopt}; }
  static Judgement not_scanned(NotScannedReason reason) {
    return Judgement{Verdict::not_scanned, reason};
  }

  Verdict verdict = Verdict::not_scanned;
  std::optional<NotScannedReason> reason;  // set exactly when not_scanned

  bool operator==(const Judgement&) const = default;
};

std::string_view verdict_name(Verdict verdict);
std::string_view reason_name(NotScannedReason reason);

}  // namespace gateway::emulation
