// Chooses the next hop for each recipient of a message: the route of the recipient's
// domain, compared case-insensitively, else the "*" route (gateway::find_route). There is
// no DNS or MX lookup: routes name their next hop.
//
// Recipients that share a next hop go in one session; recipients whose routes reach
// different next hops, or the same one under different TLS settings, go in separate
// sessions.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "gateway/config.hpp"
#include "gateway/spool/queue_record.hpp"

namespace gateway {

// The recipients of one message that one session carries.
struct RouteGroup {
  // The route that chose the next hop; null for recipients without any route.
  const Route* route = nullptr;
  // Indexes into the message's recipients, in envelope order.
  std::vector<std::size_t> recipients;
};

// The domain of an address: what follows its last "@"; empty when there is none (the
// domainless "Postmaster" of RFC 5321 4.1.1.3).
std::string_view recipient_domain(std::string_view address);

class Router {
 public:
  // The configuration must outlive the router.
  explicit Router(const Config& config) : config_(config) {}

  // The route for one recipient address, or null when no route matches.
  const Route* route_for(std::string_view address) const;

  // The message's pending recipients, grouped by next hop. Groups come in the order of
  // their first recipient, so the same message always gives the same sessions. The group
  // without a route, if any, is among them.
  std::vector<RouteGroup> group(const QueueRecord& record) const;

 private:
  const Config& config_;
};

}  // namespace gateway
