#include "gateway/queue/retry_policy.hpp"

#include <algorithm>
#include <cassert>

namespace gateway {
namespace {

// The reply a pending recipient gets when the deliverer said nothing about it.
constexpr std::string_view no_outcome_reply = "451 4.3.0 no delivery outcome reported";

}  // namespace

RetryPolicy::RetryPolicy(RetrySettings settings) : settings_(settings) {
  assert(settings_.minimum_backoff > runtime::Duration::zero());
  assert(settings_.maximum_backoff >= settings_.minimum_backoff);
  assert(settings_.backoff_factor >= 1.0);
  assert(settings_.queue_lifetime > runtime::Duration::zero());
}

runtime::Duration RetryPolicy::backoff(std::uint32_t failed_attempts) const {
  assert(failed_attempts >= 1);
  // Grows one step per attempt and stops at the cap, so the loop ends early and the
  // product never overflows.
  runtime::Duration delay = settings_.minimum_backoff;
  for (std::uint32_t i = 1; i < failed_attempts && delay < settings_.maximum_backoff; ++i) {
    const auto grown = std::chrono::duration_cast<runtime::Duration>(
        std::chrono::duration<double, runtime::Duration::period>(
            static_cast<double>(delay.count()) * settings_.backoff_factor));
    delay = std::min(grown, settings_.maximum_backoff);
  }
  return std::min(delay, settings_.maximum_backoff);
}

void RetryPolicy::apply_inspection(QueueRecord& record, const InspectionOutcome& outcome) const {
  if (outcome.result == InspectionResult::hold) {
    record.state = MessageState::held;
    record.last_error = outcome.reason;
  } else {
    record.state = MessageState::ready;
  }
  record.next_attempt_time.reset();
}

AttemptSummary RetryPolicy::apply_delivery(QueueRecord& record, const DeliveryOutcome& outcome,
                                           runtime::WallTime received_time,
                                           runtime::WallTime now) const {
  AttemptSummary summary;
  ++record.attempts;
  std::vector<bool> reported(record.recipients.size(), false);

  // Each recipient's result, as the deliverer reported it.
  for (const auto& result : outcome.recipients) {
    assert(result.recipient_index < record.recipients.size());
    auto& recipient = record.recipients[result.recipient_index];
    if (recipient.state != RecipientState::pending || reported[result.recipient_index]) {
      continue;  // the deliverer repeated itself or reported a finished recipient
    }
    reported[result.recipient_index] = true;
    recipient.reply = result.reply;
    if (result.result == DeliveryResult::delivered) {
      recipient.state = RecipientState::delivered;
      summary.delivered.push_back(result.recipient_index);
    } else if (result.result == DeliveryResult::bounced) {
      recipient.state = RecipientState::bounced;
      summary.bounced.push_back(result.recipient_index);
    } else {
      record.last_error = result.reply;
    }
  }

  // A pending recipient nobody reported on is deferred.
  for (std::size_t i = 0; i < record.recipients.size(); ++i) {
    if (record.recipients[i].state == RecipientState::pending && !reported[i]) {
      record.recipients[i].reply = no_outcome_reply;
      record.last_error = no_outcome_reply;
    }
  }

  // Then the message's next state: done, expired, or deferred until the next attempt.
  summary.deferred_count = record.pending_count();
  record.next_attempt_time.reset();
  const runtime::WallTime expiry = received_time + settings_.queue_lifetime;
  if (summary.deferred_count > 0 && now >= expiry) {
    expire(record, summary);
  }
  if (summary.deferred_count == 0) {
    record.state = MessageState::done;
    return summary;
  }
  const auto delay = std::min<runtime::Duration>(backoff(record.attempts), expiry - now);
  record.state = MessageState::deferred;
  // Whole microseconds: the state record stores no finer time, and a record must read
  // back equal to what was written (the real wall clock has nanoseconds).
  record.next_attempt_time = std::chrono::floor<std::chrono::microseconds>(
      now + std::chrono::duration_cast<runtime::WallTime::duration>(delay));
  summary.retry_after = delay;
  return summary;
}

void RetryPolicy::expire(QueueRecord& record, AttemptSummary& summary) const {
  summary.expired = true;
  summary.deferred_count = 0;
  for (std::size_t i = 0; i < record.recipients.size(); ++i) {
    auto& recipient = record.recipients[i];
    if (recipient.state != RecipientState::pending) {
      continue;
    }
    // RFC 3463 X.4.7: delivery time expired; the last temporary reply says why.
    recipient.reply = "554 5.4.7 delivery time expired; last reply: " + recipient.reply;
    recipient.state = RecipientState::bounced;
    summary.bounced.push_back(i);
  }
}

}  // namespace gateway
