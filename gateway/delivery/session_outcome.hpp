// What one SMTP session with a next hop found out: the replies the next hop gave, and how
// the session ended when it ended early. The session only reports; delivery_policy.hpp
// turns a report into each recipient's result.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/delivery/delivery_stage.hpp"
#include "gateway/smtp/reply.hpp"

namespace gateway {

enum class FailureKind {
  reply,            // the next hop refused with a reply (the session's `reply`)
  timeout,          // a wait passed its deadline
  connection,       // the connection could not be opened, or broke
  protocol,         // the next hop's reply broke the grammar, or was not one the stage allows
  tls_unavailable,  // the policy needs STARTTLS and the next hop did not offer it
  tls_failed,       // the TLS handshake failed, the certificate check included
  size_exceeded,    // the message is larger than the next hop's announced SIZE
  spool,            // the message's content could not be read back from the spool
};

struct SessionFailure {
  DeliveryStage stage = DeliveryStage::connect;
  FailureKind kind = FailureKind::connection;
  std::optional<smtp::Reply> reply;  // set exactly for FailureKind::reply
  std::string detail;                // what went wrong, for the other kinds
};

struct SessionOutcome {
  // How the session ended early; nothing when it ran to the end of its transaction. A
  // failure applies to every recipient the replies below leave without a final answer.
  std::optional<SessionFailure> failure;

  // The reply to each recipient's RCPT, in the transaction's order; nothing for those the
  // session never reached.
  std::vector<std::optional<smtp::Reply>> recipient_replies;

  // The reply that settles the recipients the next hop accepted: the refusal of DATA, or
  // the reply after the final ".".
  std::optional<smtp::Reply> data_reply;

  // Whether the transaction ran under TLS, and what TLS negotiated ("TLSv1.3
  // TLS_AES_256_GCM_SHA384").
  bool tls = false;
  std::string tls_details;

  // Connections opened: 2 when `may` fell back to plaintext after a failed handshake.
  int connections = 0;
};

}  // namespace gateway
