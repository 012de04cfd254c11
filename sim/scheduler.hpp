// Virtual time. Events run in order of (time, order of scheduling), so two events due at
// the same instant always run in the order they were scheduled. Time only moves when the
// world asks for the next event, which is how ten virtual minutes cost microseconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

namespace sim {

// Virtual time since the world began.
using SimTime = std::chrono::nanoseconds;

class Scheduler {
 public:
  using EventId = std::uint64_t;
  using Action = std::function<void()>;

  SimTime now() const { return now_; }

  // Schedules `action` at `when` (no earlier than now). Returns an id for cancel().
  EventId at(SimTime when, Action action);
  EventId after(SimTime delay, Action action) { return at(now_ + delay, std::move(action)); }

  // Removes a scheduled event; false if it already ran or was cancelled.
  bool cancel(EventId id);

  // The time of the earliest scheduled event.
  std::optional<SimTime> next_time() const;

  // Advances time to the earliest event and runs it; false if none is scheduled or the
  // earliest is later than `limit`.
  bool run_next(SimTime limit = SimTime::max());

  // Moves time forward to `when` without running anything (no event may be due earlier).
  void advance_to(SimTime when);

  std::size_t pending() const { return queue_.size(); }
  std::uint64_t executed() const { return executed_; }

 private:
  using Key = std::pair<SimTime, EventId>;

  SimTime now_{0};
  EventId next_id_ = 1;
  std::uint64_t executed_ = 0;
  std::map<Key, Action> queue_;
  std::unordered_map<EventId, SimTime> when_;  // looked up by id, never iterated
};

}  // namespace sim
