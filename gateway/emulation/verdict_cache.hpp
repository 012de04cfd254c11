// The TE client's memory of verdicts, by sha256, so that a file seen again is not asked
// about again. Bounded two ways, because a gateway runs for months: an entry lives at most
// `lifetime` (a sandbox's verdict can change as its engines learn, and a benign verdict
// must not be trusted forever), and at most `capacity` entries are kept (the oldest goes
// first), so memory stays flat however many distinct files pass.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "gateway/emulation/judgement.hpp"
#include "runtime/time.hpp"

namespace gateway::emulation {

class VerdictCache {
 public:
  static constexpr std::size_t default_capacity = 100'000;
  static constexpr runtime::Duration default_lifetime = std::chrono::hours(24);

  explicit VerdictCache(std::size_t capacity = default_capacity,
                        runtime::Duration lifetime = default_lifetime);

  // The verdict remembered for `sha256`, unless it is older than the lifetime at `now`.
  std::optional<Verdict> find(const std::string& sha256, runtime::SteadyTime now);

  // Remembers a verdict from `now`; a newer verdict for the same file replaces the older.
  void remember(const std::string& sha256, Verdict verdict, runtime::SteadyTime now);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Verdict verdict;
    runtime::SteadyTime stored;
  };

  // Drops entries past their lifetime, and the oldest beyond the capacity.
  void trim(runtime::SteadyTime now);

  std::size_t capacity_;
  runtime::Duration lifetime_;
  std::map<std::string, Entry> entries_;
  // Insertion order, oldest first; an entry replaced later leaves a stale item here,
  // recognised by its time not matching the entry's.
  std::deque<std::pair<runtime::SteadyTime, std::string>> order_;
};

}  // namespace gateway::emulation
