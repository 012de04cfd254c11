#include "sim/scheduler.hpp"

#include <cassert>

namespace sim {

Scheduler::EventId Scheduler::at(SimTime when, Action action) {
  assert(action);
  if (when < now_) {
    when = now_;
  }
  const EventId id = next_id_++;
  queue_.emplace(Key{when, id}, std::move(action));
  when_.emplace(id, when);
  return id;
}

bool Scheduler::cancel(EventId id) {
  auto found = when_.find(id);
  if (found == when_.end()) {
    return false;
  }
  queue_.erase(Key{found->second, id});
  when_.erase(found);
  return true;
}

std::optional<SimTime> Scheduler::next_time() const {
  if (queue_.empty()) {
    return std::nullopt;
  }
  return queue_.begin()->first.first;
}

bool Scheduler::run_next(SimTime limit) {
  if (queue_.empty() || queue_.begin()->first.first > limit) {
    return false;
  }
  auto node = queue_.extract(queue_.begin());
  when_.erase(node.key().second);
  assert(node.key().first >= now_);
  now_ = node.key().first;
  ++executed_;
  node.mapped()();
  return true;
}

void Scheduler::advance_to(SimTime when) {
  assert(queue_.empty() || queue_.begin()->first.first >= when);
  if (when > now_) {
    now_ = when;
  }
}

}  // namespace sim
