#include "gateway/smtp/relay_policy.hpp"

#include <algorithm>
#include <cassert>

#include "gateway/smtp/ascii.hpp"
#include "gateway/smtp/replies.hpp"

namespace gateway::smtp {
namespace {

bool contains(std::string_view text, char c) {
  return text.find(c) != std::string_view::npos;
}

// Tricks hidden in the local part; the value is checked, so quoting or escaping a character
// does not hide it.
RelayDecision classify_local_part(const Mailbox& mailbox) {
  const std::string_view value = mailbox.local_part_value;
  if (contains(value, '%')) {
    return RelayDecision::percent_in_local_part;
  }
  if (contains(value, '!')) {
    return RelayDecision::bang_in_local_part;
  }
  if (contains(value, '@')) {
    return RelayDecision::at_in_quoted_local_part;
  }
  return RelayDecision::accept;
}

}  // namespace

std::string_view decision_name(RelayDecision decision) {
  switch (decision) {
    case RelayDecision::accept:
      return "accept";
    case RelayDecision::source_route:
      return "source_route";
    case RelayDecision::address_literal:
      return "address_literal";
    case RelayDecision::percent_in_local_part:
      return "percent_in_local_part";
    case RelayDecision::bang_in_local_part:
      return "bang_in_local_part";
    case RelayDecision::at_in_quoted_local_part:
      return "at_in_quoted_local_part";
    case RelayDecision::domain_not_accepted:
      return "domain_not_accepted";
  }
  return "unknown";
}

RelayDecision classify_recipient(const Path& forward_path,
                                 std::span<const std::string> accepted_domains) {
  assert(!forward_path.null);
  const Mailbox& mailbox = forward_path.mailbox;

  // The route and the domain's form come first: they redirect whatever the local part says.
  if (!forward_path.source_route.empty()) {
    return RelayDecision::source_route;
  }
  if (forward_path.is_domainless_postmaster()) {
    return RelayDecision::accept;
  }
  if (mailbox.domain_is_literal) {
    return RelayDecision::address_literal;
  }

  // Then the local part, then the domain against the accepted list.
  const RelayDecision local_part = classify_local_part(mailbox);
  if (local_part != RelayDecision::accept) {
    return local_part;
  }
  const bool accepted = std::any_of(
      accepted_domains.begin(), accepted_domains.end(),
      [&mailbox](const std::string& domain) { return ascii::iequals(domain, mailbox.domain); });
  return accepted ? RelayDecision::accept : RelayDecision::domain_not_accepted;
}

std::optional<Reply> relay_refusal(RelayDecision decision) {
  if (decision == RelayDecision::accept) {
    return std::nullopt;
  }
  return replies::relay_denied();
}

}  // namespace gateway::smtp
