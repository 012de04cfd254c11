// Decides at RCPT whether the gateway takes a recipient (RFC 5321 3.6.2, 7.1). The gateway
// is not an open relay: it accepts mail only for the configured accepted domains, matched
// exactly and case-insensitively (no subdomains, no wildcards), and it refuses addresses
// that could make a later hop route the mail somewhere else than the domain suggests:
//
// - a source route "<@a,@b:user@c>" (RFC 5321 appendix C: hosts may honour it);
// - an address literal as the domain, "user@[192.0.2.1]", which names a host, not a domain;
// - "%" in the local part, the "percent hack" that relays "user%other@corp" to "other";
// - "!" in the local part, a UUCP bang path "other!user@corp";
// - "@" in a quoted local part, "\"user@other\"@corp", which naive parsers split wrongly.
//
// Every refusal is `550 5.7.1` (relay denied); the reason is kept for logs and traces.
// The domainless "<Postmaster>" is always accepted (RFC 5321 4.1.1.3 requires it).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gateway/smtp/address.hpp"
#include "gateway/smtp/reply.hpp"

namespace gateway::smtp {

enum class RelayDecision {
  accept,
  source_route,
  address_literal,
  percent_in_local_part,
  bang_in_local_part,
  at_in_quoted_local_part,
  domain_not_accepted,
};

// A stable name for logs and traces, such as "domain_not_accepted".
std::string_view decision_name(RelayDecision decision);

// `forward_path` comes from parse_rcpt_to, so it is never the null path.
RelayDecision classify_recipient(const Path& forward_path,
                                 std::span<const std::string> accepted_domains);

// The reply that refuses the recipient, or nothing when the decision is accept.
std::optional<Reply> relay_refusal(RelayDecision decision);

}  // namespace gateway::smtp
