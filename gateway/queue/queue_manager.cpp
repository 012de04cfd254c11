#include "gateway/queue/queue_manager.hpp"

#include <algorithm>
#include <cassert>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gateway {
namespace {

namespace asio = boost::asio;

// How long the dispatcher sleeps with nothing deferred. Commits, finished stages and
// operator requests wake it earlier, so this only bounds how long it trusts that.
constexpr runtime::Duration idle_wait = std::chrono::hours(1);

std::int64_t milliseconds(runtime::Duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

}  // namespace

QueueManager::QueueManager(runtime::Host& host, Spool& spool, Inspector& inspector,
                           Deliverer& deliverer, BounceNotifier& bounces, RetryPolicy policy,
                           QueueSettings settings, GatewayMetrics* metrics)
    : host_(host),
      spool_(spool),
      inspector_(inspector),
      deliverer_(deliverer),
      bounces_(bounces),
      policy_(policy),
      settings_(settings),
      metrics_(metrics),
      wake_timer_(host),
      control_timer_(host) {
  assert(settings_.max_concurrent_inspections > 0 && settings_.max_concurrent_deliveries > 0);
}

runtime::error_code QueueManager::start() {
  assert(!started_ && "start() once");
  auto recovered = spool_.recover();
  if (!recovered) {
    return recovered.error();
  }
  started_ = true;

  // Every message the spool kept goes back where its state says.
  for (auto& message : *recovered) {
    const QueueId id = message.id();
    host_.events().record("queue.recovered", {{"queue_id", id.text()},
                                              {"state", message_state_name(message.record.state)}});
    auto [at, inserted] = entries_.emplace(id, Entry{std::move(message), Slot::parked, {}, false});
    assert(inserted);
    place(at->second);
  }

  // Requests made while the gateway was down go first, then processing starts.
  apply_control_requests();
  asio::co_spawn(host_.executor(), dispatch_loop(), asio::detached);
  asio::co_spawn(host_.executor(), control_loop(), asio::detached);
  return {};
}

void QueueManager::stop() {
  stopping_ = true;
  wake_timer_.cancel();
  control_timer_.cancel();
}

std::optional<QueueManager::Admission> QueueManager::admit() {
  if (entries_.size() + *admitted_ >= settings_.max_queue_messages) {
    return std::nullopt;
  }
  return Admission(admitted_);
}

void QueueManager::commit(QueuedMessage message) {
  assert(started_ && "commit() after start()");
  const QueueId id = message.id();
  host_.events().record("queue.committed", {{"queue_id", id.text()},
                                            {"sender", message.envelope.mail_from},
                                            {"recipients", message.envelope.recipients.size()},
                                            {"size_bytes", message.content_size_bytes}});
  auto [at, inserted] = entries_.emplace(id, Entry{std::move(message), Slot::parked, {}, false});
  assert(inserted && "queue ids are unique");
  // Fresh mail is received; inline mode commits what it has already inspected.
  place(at->second);
  wake();
}

const QueuedMessage* QueueManager::find(const QueueId& id) const {
  auto at = entries_.find(id);
  return at == entries_.end() ? nullptr : &at->second.message;
}

void QueueManager::place(Entry& entry) {
  const QueueRecord& record = entry.message.record;
  switch (record.state) {
    case MessageState::received:
    case MessageState::inspecting:
      schedule_inspection(entry);
      return;
    case MessageState::ready:
      schedule_delivery(entry);
      return;
    case MessageState::deferred: {
      // The record keeps wall time; the timer runs on the monotonic clock.
      const auto wait = std::max<runtime::Duration>(
          runtime::Duration::zero(), *record.next_attempt_time - host_.clock().wall_now());
      schedule_retry(entry, host_.clock().now() + wait);
      return;
    }
    case MessageState::held:
      entry.slot = Slot::parked;
      return;
    case MessageState::done:
      break;
  }
  assert(false && "recovery never returns a done message");
}

void QueueManager::schedule_inspection(Entry& entry) {
  unschedule(entry);
  entry.slot = Slot::waiting_inspection;
  to_inspect_.push_back(entry.message.id());
}

void QueueManager::schedule_delivery(Entry& entry) {
  if (entry.slot == Slot::waiting_delivery) {
    return;
  }
  unschedule(entry);
  entry.slot = Slot::waiting_delivery;
  to_deliver_.push_back(entry.message.id());
}

void QueueManager::schedule_retry(Entry& entry, runtime::SteadyTime due) {
  unschedule(entry);
  entry.slot = Slot::deferred;
  entry.due = due;
  deferred_.emplace(due, entry.message.id());
}

void QueueManager::unschedule(Entry& entry) {
  // An id left in a waiting line is skipped there once its slot says otherwise.
  if (entry.slot == Slot::deferred) {
    deferred_.erase({entry.due, entry.message.id()});
  }
  entry.slot = Slot::parked;
}

void QueueManager::wake() {
  wake_requested_ = true;
  wake_timer_.cancel();
}

asio::awaitable<void> QueueManager::dispatch_loop() {
  while (!stopping_) {
    wake_requested_ = false;
    start_due_work();
    if (wake_requested_) {
      continue;
    }
    // Until the earliest retry, or until something wakes the queue.
    runtime::error_code ec;
    wake_timer_.expires_at(next_wake_time());
    co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

runtime::SteadyTime QueueManager::next_wake_time() const {
  if (deferred_.empty()) {
    return host_.clock().now() + idle_wait;
  }
  return deferred_.begin()->first;
}

void QueueManager::start_due_work() {
  // Deferred messages whose time has come join the delivery line.
  const runtime::SteadyTime now = host_.clock().now();
  while (!deferred_.empty() && deferred_.begin()->first <= now) {
    Entry& entry = entries_.at(deferred_.begin()->second);
    deferred_.erase(deferred_.begin());
    entry.slot = Slot::waiting_delivery;
    to_deliver_.push_back(entry.message.id());
  }

  // Then every free slot takes the first message waiting for it.
  auto take = [this](std::deque<QueueId>& line, Slot waiting) -> Entry* {
    while (!line.empty()) {
      auto at = entries_.find(line.front());
      line.pop_front();
      if (at != entries_.end() && at->second.slot == waiting) {
        at->second.slot = Slot::working;
        return &at->second;
      }
    }
    return nullptr;
  };
  while (inspecting_ < settings_.max_concurrent_inspections) {
    Entry* entry = take(to_inspect_, Slot::waiting_inspection);
    if (entry == nullptr) {
      break;
    }
    ++inspecting_;
    asio::co_spawn(host_.executor(), inspect(entry->message.id()), asio::detached);
  }
  while (delivering_ < settings_.max_concurrent_deliveries) {
    Entry* entry = take(to_deliver_, Slot::waiting_delivery);
    if (entry == nullptr) {
      break;
    }
    ++delivering_;
    asio::co_spawn(host_.executor(), deliver(entry->message.id()), asio::detached);
  }
}

asio::awaitable<void> QueueManager::inspect(QueueId id) {
  // The entry stays put while its slot is working: removal waits for the stage.
  Entry& entry = entries_.at(id);
  entry.message.record.state = MessageState::inspecting;
  persist(entry);
  record("queue.inspecting", id);

  const runtime::SteadyTime started = host_.clock().now();
  const InspectionOutcome outcome = co_await inspector_.inspect(entry.message);
  if (metrics_ != nullptr) {
    metrics_->inspection_seconds.observe(host_.clock().now() - started);
  }
  --inspecting_;
  wake();
  // The inspection's own messages go on whatever becomes of this one.
  for (QueuedMessage companion : outcome.companions) {
    commit(std::move(companion));
  }
  if (remove_if_requested(entry)) {
    co_return;
  }

  // Ready goes on to delivery; held waits for an operator.
  policy_.apply_inspection(entry.message.record, outcome);
  persist(entry);
  if (entry.message.record.state == MessageState::held) {
    entry.slot = Slot::parked;
    host_.events().record("queue.held", {{"queue_id", id.text()}, {"reason", outcome.reason}});
    co_return;
  }
  record("queue.ready", id);
  schedule_delivery(entry);
}

asio::awaitable<void> QueueManager::deliver(QueueId id) {
  Entry& entry = entries_.at(id);
  host_.events().record("queue.delivering", {{"queue_id", id.text()},
                                             {"attempt", entry.message.record.attempts + 1},
                                             {"recipients", entry.message.record.pending_count()}});

  const DeliveryOutcome outcome = co_await deliverer_.deliver(entry.message);
  --delivering_;
  wake();
  if (remove_if_requested(entry)) {
    co_return;
  }
  const AttemptSummary summary =
      policy_.apply_delivery(entry.message.record, outcome, entry.message.envelope.received_time,
                             host_.clock().wall_now());
  settle_delivery(entry, summary);
}

void QueueManager::settle_delivery(Entry& entry, const AttemptSummary& summary) {
  const QueueId id = entry.message.id();
  const QueueRecord& record = entry.message.record;

  // One event per recipient that reached its end, then the sender hears of bounces.
  for (std::size_t index : summary.delivered) {
    host_.events().record("queue.delivered", {{"queue_id", id.text()},
                                              {"recipient", record.recipients[index].address},
                                              {"reply", record.recipients[index].reply}});
  }
  for (std::size_t index : summary.bounced) {
    host_.events().record("queue.bounced", {{"queue_id", id.text()},
                                            {"recipient", record.recipients[index].address},
                                            {"reply", record.recipients[index].reply},
                                            {"expired", summary.expired}});
  }
  report_bounces(entry, summary);
  count_attempt(entry, summary);

  // The record holds the outcome before the message moves on or goes.
  persist(entry);
  if (record.state == MessageState::done) {
    finish(entry);
    return;
  }
  assert(record.state == MessageState::deferred && summary.retry_after);
  host_.events().record("queue.deferred", {{"queue_id", id.text()},
                                           {"attempts", record.attempts},
                                           {"pending", summary.deferred_count},
                                           {"retry_after_ms", milliseconds(*summary.retry_after)},
                                           {"reply", record.last_error}});
  schedule_retry(entry, host_.clock().now() + *summary.retry_after);
}

void QueueManager::count_attempt(const Entry& entry, const AttemptSummary& summary) {
  if (metrics_ == nullptr) {
    return;
  }
  // Counted per message and attempt: an attempt may deliver to some recipients, bounce
  // others and defer the rest, and then counts once under each.
  metrics_->messages_delivered_total += summary.delivered.empty() ? 0 : 1;
  metrics_->messages_bounced_total += summary.bounced.empty() ? 0 : 1;
  metrics_->messages_deferred_total += summary.deferred_count == 0 ? 0 : 1;

  // End to end: from the 250 to the last recipient's final outcome.
  if (entry.message.record.state == MessageState::done) {
    const runtime::WallTime received = entry.message.envelope.received_time;
    const runtime::WallTime now = host_.clock().wall_now();
    metrics_->end_to_end_seconds.observe(
        now > received ? std::chrono::duration_cast<runtime::Duration>(now - received)
                       : runtime::Duration{});
  }
}

void QueueManager::report_bounces(const Entry& entry, const AttemptSummary& summary) {
  if (summary.bounced.empty()) {
    return;
  }
  if (entry.message.envelope.null_sender()) {
    record("queue.bounce_suppressed", entry.message.id());
    return;
  }
  bounces_.notify(entry.message, summary.bounced);
}

void QueueManager::finish(Entry& entry) {
  const QueueId id = entry.message.id();
  if (auto ec = spool_.remove(id)) {
    // The done record makes the next recovery finish the removal.
    host_.events().record("queue.storage_error",
                          {{"queue_id", id.text()}, {"stage", "remove"}, {"error", ec.message()}});
  }
  record("queue.done", id);
  unschedule(entry);
  entries_.erase(id);
}

void QueueManager::persist(const Entry& entry) {
  // A failed write leaves the older record, so a restart repeats a stage: the queue goes
  // on from memory and the next state change tries again.
  if (auto ec = spool_.save_state(entry.message.record)) {
    host_.events().record(
        "queue.storage_error",
        {{"queue_id", entry.message.id().text()}, {"stage", "state"}, {"error", ec.message()}});
  }
}

void QueueManager::record(std::string_view event, const QueueId& id) {
  host_.events().record(event, {{"queue_id", id.text()}});
}

}  // namespace gateway
