#include "gateway/emulation/verdict_cache.hpp"

#include <algorithm>

namespace gateway::emulation {

VerdictCache::VerdictCache(std::size_t capacity, runtime::Duration lifetime)
    : capacity_(std::max<std::size_t>(capacity, 1)), lifetime_(lifetime) {}

std::optional<Verdict> VerdictCache::find(const std::string& sha256, runtime::SteadyTime now) {
  trim(now);
  auto found = entries_.find(sha256);
  if (found == entries_.end()) {
    return std::nullopt;
  }
  return found->second.verdict;
}

void VerdictCache::remember(const std::string& sha256, Verdict verdict, runtime::SteadyTime now) {
  entries_.insert_or_assign(sha256, Entry{verdict, now});
  order_.emplace_back(now, sha256);
  trim(now);
}

void VerdictCache::trim(runtime::SteadyTime now) {
  while (!order_.empty()) {
    const auto& [stored, sha256] = order_.front();
    auto entry = entries_.find(sha256);
    const bool current = entry != entries_.end() && entry->second.stored == stored;
    const bool expired = now - stored >= lifetime_;
    if (current && !expired && entries_.size() <= capacity_) {
      break;
    }
    if (current && (expired || entries_.size() > capacity_)) {
      entries_.erase(entry);
    }
    order_.pop_front();
  }
}

}  // namespace gateway::emulation
