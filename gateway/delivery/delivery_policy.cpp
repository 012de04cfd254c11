#include "gateway/delivery/delivery_policy.hpp"

#include <cassert>

namespace gateway {
namespace {

RecipientVerdict by_reply_class(const smtp::Reply& reply) {
  if (reply.is_completion()) {
    return {DeliveryResult::delivered, reply_text(reply)};
  }
  if (reply.is_permanent_failure()) {
    return {DeliveryResult::bounced, reply_text(reply)};
  }
  return {DeliveryResult::deferred, reply_text(reply)};
}

// RFC 3463 status codes for failures the next hop did not put into a reply.
std::string_view failure_status(FailureKind kind) {
  switch (kind) {
    case FailureKind::connection:
      return "4.4.1";  // no answer from host
    case FailureKind::timeout:
      return "4.4.2";  // bad connection
    case FailureKind::protocol:
      return "4.5.0";  // other protocol status
    case FailureKind::tls_unavailable:
      return "4.7.4";  // security features not supported
    case FailureKind::tls_failed:
      return "4.7.5";  // cryptographic failure
    case FailureKind::size_exceeded:
      return "5.3.4";  // message too big for system
    case FailureKind::spool:
      return "4.3.0";  // other mail system status
    case FailureKind::reply:
      break;
  }
  assert(false && "a reply failure has its own text");
  return "4.0.0";
}

// What happens to a recipient the session did not get an answer for.
RecipientVerdict by_failure(const SessionFailure& failure, std::string_view hop) {
  if (failure.kind == FailureKind::reply) {
    assert(failure.reply);
    const bool sender_refused =
        failure.stage == DeliveryStage::mail && failure.reply->is_permanent_failure();
    return {sender_refused ? DeliveryResult::bounced : DeliveryResult::deferred,
            reply_text(*failure.reply)};
  }
  const bool permanent = failure.kind == FailureKind::size_exceeded;
  return {permanent ? DeliveryResult::bounced : DeliveryResult::deferred,
          failure_text(failure, hop)};
}

}  // namespace

std::string reply_text(const smtp::Reply& reply) {
  std::string text = std::to_string(reply.code);
  if (!reply.enhanced.empty()) {
    text += ' ';
    text += reply.enhanced;
  }
  for (const std::string& line : reply.lines) {
    if (!line.empty()) {
      text += ' ';
      text += line;
    }
  }
  return text;
}

std::string failure_text(const SessionFailure& failure, std::string_view hop) {
  if (failure.kind == FailureKind::reply) {
    assert(failure.reply);
    return reply_text(*failure.reply);
  }
  std::string text(failure_status(failure.kind));
  text += ' ';
  text += stage_name(failure.stage);
  text += " with ";
  text += hop;
  text += ": ";
  text += failure.detail;
  return text;
}

RecipientVerdict judge_recipient(const SessionOutcome& outcome, std::size_t index,
                                 std::string_view hop) {
  assert(index < outcome.recipient_replies.size());
  const auto& rcpt = outcome.recipient_replies[index];

  // Refused at RCPT: that reply is the answer.
  if (rcpt && !rcpt->is_completion()) {
    return by_reply_class(*rcpt);
  }

  // Accepted at RCPT: the reply that settled the data, if the session got that far.
  if (rcpt && outcome.data_reply) {
    return by_reply_class(*outcome.data_reply);
  }

  // Otherwise the failure that ended the session decides.
  assert(outcome.failure && "a session without a failure answered every recipient");
  if (rcpt) {
    // Accepted, and then the session broke: nothing was refused, so the mail waits.
    return {DeliveryResult::deferred, failure_text(*outcome.failure, hop)};
  }
  return by_failure(*outcome.failure, hop);
}

}  // namespace gateway
