#include "gateway/emulation/judgement.hpp"

namespace gateway::emulation {

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::benign: return "benign";
    case Verdict::malicious: return "malicious";
    case Verdict::not_scanned: return "not-scanned";
  }
  return "not-scanned";
}

std::string_view reason_name(NotScannedReason reason) {
  switch (reason) {
    case NotScannedReason::timeout: return "timeout";
    case NotScannedReason::unreachable: return "unreachable";
    case NotScannedReason::error: return "error";
    case NotScannedReason::no_quota: return "no-quota";
    case NotScannedReason::overloaded: return "overloaded";
    case NotScannedReason::unsupported: return "unsupported";
    case NotScannedReason::unknown: return "unknown";
    case NotScannedReason::unparseable: return "unparseable";
  }
  return "error";
}

}  // namespace gateway::emulation
