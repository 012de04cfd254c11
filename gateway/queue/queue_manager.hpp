// The queue manager: the in-memory index of queued messages and the coroutines that move
// each one through inspection and delivery, with the spool as the durable truth.
//
// Every state change is written to the message's state record before anything depends
// on it, and recorded as an event ("queue.<what happened>", with the queue id). After a
// crash, start() rebuilds the same queue from the spool: a stage that was under way is
// simply done again (at-least-once; a recipient may receive a message twice, never zero
// times).
//
// Scheduling: received messages wait for one of max_concurrent_inspections inspection
// slots, ready ones for one of max_concurrent_deliveries delivery slots, both in arrival
// order; deferred ones wait, ordered by due time, on one timer set for the earliest.
// Administration requests (control_request.hpp) are applied at start and then every
// control_interval.
//
// Lifetime: the manager's coroutines run on the host's executor and refer to the manager,
// the spool and the stages. stop() ends the waiting; stages under way finish on their own
// deadlines and record their outcome. The owner keeps everything alive until busy() is
// false (in the simulated world a crash destroys the coroutines before their owner).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "gateway/observability/metrics.hpp"
#include "gateway/queue/bounce_notifier.hpp"
#include "gateway/queue/control_request.hpp"
#include "gateway/queue/deliverer.hpp"
#include "gateway/queue/inspector.hpp"
#include "gateway/queue/retry_policy.hpp"
#include "gateway/spool/queued_message.hpp"
#include "gateway/spool/spool.hpp"
#include "runtime/host.hpp"

namespace gateway {

struct QueueSettings {
  // limits.max_queue_messages: beyond it the SMTP server answers 452 4.3.1.
  std::size_t max_queue_messages = 10'000;
  std::size_t max_concurrent_inspections = 20;
  std::size_t max_concurrent_deliveries = 20;
  // How often waiting administration requests are looked for.
  runtime::Duration control_interval = std::chrono::seconds(1);
};

class QueueManager {
 public:
  // `metrics`, when given, is fed with inspection latency, delivery outcomes and end-to-end
  // latency, and must outlive the manager.
  QueueManager(runtime::Host& host, Spool& spool, Inspector& inspector, Deliverer& deliverer,
               BounceNotifier& bounces, RetryPolicy policy, QueueSettings settings = {},
               GatewayMetrics* metrics = nullptr);
  QueueManager(const QueueManager&) = delete;
  QueueManager& operator=(const QueueManager&) = delete;

  // Recovers the spool, applies waiting administration requests and starts processing.
  // Called once. Errors: as Spool::recover.
  runtime::error_code start();

  // Stops starting work and stops the timers; see the lifetime note above.
  void stop();

  // A place in the queue kept for one SMTP transaction, from MAIL until its message is
  // committed or the transaction ends (the place goes with the object), so that sessions
  // receiving at the same moment cannot together overshoot limits.max_queue_messages. It
  // may outlive the manager: it only holds the shared count of places kept.
  class Admission {
   public:
    Admission(Admission&&) noexcept = default;
    Admission& operator=(Admission&& other) noexcept {
      if (this != &other) {
        give_back();
        kept_ = std::move(other.kept_);
      }
      return *this;
    }
    ~Admission() { give_back(); }

   private:
    friend class QueueManager;
    explicit Admission(std::shared_ptr<std::size_t> kept) : kept_(std::move(kept)) { ++*kept_; }
    void give_back() {
      if (kept_) {
        --*kept_;
        kept_.reset();
      }
    }
    std::shared_ptr<std::size_t> kept_;
  };

  // A place for one more message, when the queued messages and the places kept leave
  // room under limits.max_queue_messages; nothing when the queue is full. The SMTP server
  // asks at MAIL. Messages the gateway makes itself (notifications, quarantine copies)
  // need no place.
  std::optional<Admission> admit();

  // Takes a message the spool has just committed and wakes processing. It goes where its
  // state says: a received message to inspection; one that inline mode has inspected
  // (ready, or held) straight on.
  void commit(QueuedMessage message);

  std::size_t size() const { return entries_.size(); }
  // Whether an inspection or a delivery is under way.
  bool busy() const { return inspecting_ + delivering_ > 0; }
  // The queued message with this id, or null. Valid until the queue next runs.
  const QueuedMessage* find(const QueueId& id) const;

 private:
  // Where a message waits in the index, so that a stale entry in a waiting line is known.
  enum class Slot {
    parked,              // held: waits for an operator
    waiting_inspection,  // in to_inspect_
    waiting_delivery,    // in to_deliver_
    deferred,            // in deferred_, due at `due`
    working,             // its inspection or delivery is under way
  };

  struct Entry {
    QueuedMessage message;
    Slot slot = Slot::parked;
    runtime::SteadyTime due{};
    // Deleted by an operator while working: removed once the stage returns.
    bool remove_requested = false;
  };

  // Placing messages in the waiting lines.
  void place(Entry& entry);
  void schedule_inspection(Entry& entry);
  void schedule_delivery(Entry& entry);
  void schedule_retry(Entry& entry, runtime::SteadyTime due);
  void unschedule(Entry& entry);
  void wake();

  // The coroutines: the dispatcher, the control loop and one per stage under way.
  boost::asio::awaitable<void> dispatch_loop();
  boost::asio::awaitable<void> control_loop();
  boost::asio::awaitable<void> inspect(QueueId id);
  boost::asio::awaitable<void> deliver(QueueId id);
  void start_due_work();
  runtime::SteadyTime next_wake_time() const;

  // What follows a delivery attempt: events, bounce reports, the durable record.
  void settle_delivery(Entry& entry, const AttemptSummary& summary);
  void count_attempt(const Entry& entry, const AttemptSummary& summary);
  void report_bounces(const Entry& entry, const AttemptSummary& summary);
  void finish(Entry& entry);
  bool remove_if_requested(Entry& entry);

  // Administration.
  void apply_control_requests();
  void apply(const ControlRequest& request);
  void flush();
  void remove(const QueueId& id);
  void release(const QueueId& id);

  void persist(const Entry& entry);
  void record(std::string_view event, const QueueId& id);

  runtime::Host& host_;
  Spool& spool_;
  Inspector& inspector_;
  Deliverer& deliverer_;
  BounceNotifier& bounces_;
  RetryPolicy policy_;
  QueueSettings settings_;
  GatewayMetrics* metrics_;

  std::map<QueueId, Entry> entries_;  // ordered by id: iteration never depends on addresses
  std::deque<QueueId> to_inspect_;
  std::deque<QueueId> to_deliver_;
  std::set<std::pair<runtime::SteadyTime, QueueId>> deferred_;
  std::size_t inspecting_ = 0;
  std::size_t delivering_ = 0;
  std::shared_ptr<std::size_t> admitted_ = std::make_shared<std::size_t>(0);  // places kept

  runtime::Timer wake_timer_;
  runtime::Timer control_timer_;
  bool wake_requested_ = false;
  bool started_ = false;
  bool stopping_ = false;
};

}  // namespace gateway
