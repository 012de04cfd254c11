// The queue's failure policy, in one place: what a message's next state is after
// inspection and after each delivery attempt.
//
// A recipient that is deferred stays pending and the message is tried again after an
// exponential backoff: minimum_backoff after the first failed attempt, multiplied by
// backoff_factor after each further one, never more than maximum_backoff. The queue
// lifetime counts from the moment the message was received; the last attempt is made when
// it runs out, and recipients still deferred then bounce (RFC 5321 4.5.4.1 asks for a
// give-up time of at least 4-5 days; 5 days is the default).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "gateway/queue/deliverer.hpp"
#include "gateway/queue/inspector.hpp"
#include "gateway/spool/queue_record.hpp"
#include "runtime/time.hpp"

namespace gateway {

struct RetrySettings {
  runtime::Duration minimum_backoff = std::chrono::minutes(5);
  runtime::Duration maximum_backoff = std::chrono::hours(1);
  double backoff_factor = 2.0;
  runtime::Duration queue_lifetime = std::chrono::hours(5 * 24);
};

// What one delivery attempt changed, for events and bounce reports.
struct AttemptSummary {
  std::vector<std::size_t> delivered;
  std::vector<std::size_t> bounced;  // by the next hop or by expiry
  std::size_t deferred_count = 0;
  bool expired = false;
  // How long until the next attempt; set exactly when the message is now deferred.
  std::optional<runtime::Duration> retry_after;
};

class RetryPolicy {
 public:
  // minimum_backoff > 0, maximum_backoff >= minimum_backoff, backoff_factor >= 1,
  // queue_lifetime > 0.
  explicit RetryPolicy(RetrySettings settings = {});

  const RetrySettings& settings() const { return settings_; }

  // The wait after `failed_attempts` (at least 1) attempts in a row left recipients
  // pending.
  runtime::Duration backoff(std::uint32_t failed_attempts) const;

  // Moves an inspected message on: to ready, or to held with the reason as last error.
  void apply_inspection(QueueRecord& record, const InspectionOutcome& outcome) const;

  // Counts the attempt, records each recipient's result and moves the message to done
  // (nothing pending) or deferred, bouncing what is still pending once the queue lifetime
  // since `received_time` has run out.
  AttemptSummary apply_delivery(QueueRecord& record, const DeliveryOutcome& outcome,
                                runtime::WallTime received_time, runtime::WallTime now) const;

 private:
  // Bounces every pending recipient of a message whose lifetime ran out.
  void expire(QueueRecord& record, AttemptSummary& summary) const;

  RetrySettings settings_;
};

}  // namespace gateway
