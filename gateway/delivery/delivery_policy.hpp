// The delivery stage's failure policy, in one place: what a session's report means for each
// recipient it carried.
//
// - A recipient the next hop refused at RCPT: 4xx deferred, 5xx bounced, with that reply.
// - A recipient it accepted: the reply that settles the data decides the same way (2xx
//   delivered); without one (a timeout or a broken connection after RCPT), deferred.
// - A recipient the session never reached: a refused sender (MAIL 5xx) or a message larger
//   than the next hop takes bounces; a refused MAIL 4xx defers; everything else defers too.
//   A greeting, EHLO or STARTTLS refusal says nothing about the message and everything
//   about the next hop, which is the organisation's own server: such mail waits for the
//   operator to fix it (until the queue lifetime runs out) rather than bouncing at once.
//
// The text kept for each recipient is the next hop's reply in wire form without CRLF
// ("550 5.1.1 no such user"), or, for a failure without a reply, an enhanced status code
// (RFC 3463), the stage and the hop ("4.4.2 greeting with 10.0.0.2:25: timed out after
// 300000 ms").
#pragma once

#include <string>
#include <string_view>

#include "gateway/delivery/session_outcome.hpp"
#include "gateway/queue/deliverer.hpp"
#include "gateway/smtp/reply.hpp"

namespace gateway {

struct RecipientVerdict {
  DeliveryResult result = DeliveryResult::deferred;
  std::string reply;
};

// The result for the recipient at `index` of the session's transaction.
RecipientVerdict judge_recipient(const SessionOutcome& outcome, std::size_t index,
                                 std::string_view hop);

// The reply as one line of text: "550 5.1.1 no such user", multi-line text joined by
// spaces.
std::string reply_text(const smtp::Reply& reply);

// The text for a failure: the reply's text, or for a failure without one the form
// described above.
std::string failure_text(const SessionFailure& failure, std::string_view hop);

}  // namespace gateway
