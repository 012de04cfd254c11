// The queue manager's side of administration: applying the requests that
// `mta-gateway queue flush|delete|release` leave in the spool's control folder.
#include <cassert>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/queue/queue_manager.hpp"

namespace gateway {

namespace asio = boost::asio;

asio::awaitable<void> QueueManager::control_loop() {
  while (!stopping_) {
    runtime::error_code ec;
    control_timer_.expires_after(settings_.control_interval);
    co_await control_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_) {
      co_return;
    }
    apply_control_requests();
  }
}

void QueueManager::apply_control_requests() {
  auto names = pending_control_requests(spool_);
  if (!names) {
    host_.events().record("queue.storage_error",
                          {{"stage", "control"}, {"error", names.error().message()}});
    return;
  }

  // Oldest first; a request that fails its checks is dropped, not guessed at.
  for (const auto& name : *names) {
    auto request = read_control_request(spool_, name);
    if (request) {
      apply(*request);
    } else {
      host_.events().record("queue.control_rejected",
                            {{"request", name}, {"error", request.error().message()}});
    }
    // Applying twice is harmless, so a crash before this removal costs nothing.
    (void)spool_.storage().remove(runtime::join_path(spool_.control_folder(), name));
  }
  if (!names->empty()) {
    (void)spool_.storage().sync_directory(spool_.control_folder());
  }
}

void QueueManager::apply(const ControlRequest& request) {
  switch (request.verb) {
    case ControlVerb::flush:
      flush();
      return;
    case ControlVerb::remove:
      remove(*request.queue_id);
      return;
    case ControlVerb::release:
      release(*request.queue_id);
      return;
  }
}

void QueueManager::flush() {
  // TODO: A flush is not recorded durably, so a crash before the flushed deliveries ran
  // puts those messages back on their old schedule and the operator must flush again.
  const std::size_t count = deferred_.size();
  while (!deferred_.empty()) {
    Entry& entry = entries_.at(deferred_.begin()->second);
    deferred_.erase(deferred_.begin());
    entry.slot = Slot::waiting_delivery;
    to_deliver_.push_back(entry.message.id());
  }
  host_.events().record("queue.flushed", {{"messages", count}});
  wake();
}

void QueueManager::remove(const QueueId& id) {
  auto at = entries_.find(id);
  if (at == entries_.end()) {
    // A message the queue does not hold (set aside as unreadable) may still have files.
    if (spool_.contains(id)) {
      (void)spool_.remove(id);
      record("queue.deleted", id);
      return;
    }
    host_.events().record("queue.control_ignored", {{"queue_id", id.text()},
                                                    {"verb", "delete"},
                                                    {"reason", "no such message"}});
    return;
  }

  // A stage under way still refers to the message: it goes when the stage returns.
  Entry& entry = at->second;
  entry.remove_requested = true;
  if (entry.slot != Slot::working) {
    remove_if_requested(entry);
  }
}

bool QueueManager::remove_if_requested(Entry& entry) {
  if (!entry.remove_requested) {
    return false;
  }
  const QueueId id = entry.message.id();
  if (auto ec = spool_.remove(id)) {
    host_.events().record("queue.storage_error",
                          {{"queue_id", id.text()}, {"stage", "remove"}, {"error", ec.message()}});
  }
  record("queue.deleted", id);
  unschedule(entry);
  entries_.erase(id);
  return true;
}

void QueueManager::release(const QueueId& id) {
  auto at = entries_.find(id);
  if (at == entries_.end() || at->second.message.record.state != MessageState::held) {
    host_.events().record("queue.control_ignored", {{"queue_id", id.text()},
                                                    {"verb", "release"},
                                                    {"reason", "not held"}});
    return;
  }

  // Released mail skips inspection: an operator has looked at it.
  Entry& entry = at->second;
  entry.message.record.state = MessageState::ready;
  entry.message.record.last_error.clear();
  persist(entry);
  record("queue.released", id);
  schedule_delivery(entry);
  wake();
}

}  // namespace gateway
