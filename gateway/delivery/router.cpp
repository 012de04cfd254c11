#include "gateway/delivery/router.hpp"

namespace gateway {
namespace {

// Whether two routes lead to the same session: the same next hop, reached the same way.
bool same_hop(const Route* a, const Route* b) {
  if (a == nullptr || b == nullptr) {
    return a == b;
  }
  return a->next_hop == b->next_hop && a->tls == b->tls && a->tls_name == b->tls_name &&
         a->ca_file == b->ca_file;
}

}  // namespace

std::string_view recipient_domain(std::string_view address) {
  const std::size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

const Route* Router::route_for(std::string_view address) const {
  return find_route(config_, recipient_domain(address));
}

std::vector<RouteGroup> Router::group(const QueueRecord& record) const {
  std::vector<RouteGroup> groups;
  for (std::size_t i = 0; i < record.recipients.size(); ++i) {
    if (record.recipients[i].state != RecipientState::pending) {
      continue;
    }

    // Routes are few, so a linear search keeps the groups in first-seen order.
    const Route* route = route_for(record.recipients[i].address);
    RouteGroup* found = nullptr;
    for (RouteGroup& group : groups) {
      if (same_hop(group.route, route)) {
        found = &group;
        break;
      }
    }
    if (found == nullptr) {
      found = &groups.emplace_back(RouteGroup{.route = route, .recipients = {}});
    }
    found->recipients.push_back(i);
  }
  return groups;
}

}  // namespace gateway
