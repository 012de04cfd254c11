#include "sim/net_fabric.hpp"

#include <cassert>
#include <cerrno>
#include <utility>

#include "sim/net_connect.hpp"
#include "sim/net_connection.hpp"
#include "sim/net_listener.hpp"
#include "sim/world.hpp"

namespace sim {

// The name world-level network events (partitions, heals) carry as their node.
constexpr std::string_view trace_node = "network";

// Counts connections on the public face, whose counter only the fabric moves.
struct NetworkAccess {
  static void count_connection(Network& network) { ++network.connections_opened_; }
};

// TODO: IPv6 is not modelled: listening on "::" or "::1" fails with EADDRNOTAVAIL and
// connecting to an IPv6 literal fails with host_unreachable, so configs must use IPv4.
std::string normalise_host(std::string_view host) {
  if (host == "localhost") {
    return std::string(loopback_address);
  }
  return std::string(host);
}

Fabric::Fabric(World& world, Network& network)
    : world_(world), network_(network), jitter_random_(world.random("network")) {}

Fabric::~Fabric() {
  // Nodes go before the network, and each abandons its connects, listeners and streams.
  assert(connects_.empty() && listeners_.empty() && connections_.empty());
}

Scheduler& Fabric::scheduler() const {
  return world_.scheduler();
}

SimTime Fabric::now() const {
  return world_.now();
}

void Fabric::set_link(std::string_view a, std::string_view b, const LinkSpec& spec) {
  links_.insert_or_assign(pair_of(a, b), spec);
}

const LinkSpec& Fabric::link(std::string_view a, std::string_view b) const {
  auto found = links_.find(pair_of(a, b));
  if (found != links_.end()) {
    return found->second;
  }
  return a == b ? loopback_link : default_link_;
}

SimTime Fabric::trip_delay(std::string_view from, std::string_view to) {
  const LinkSpec& spec = link(from, to);
  if (spec.jitter <= SimTime::zero()) {
    return spec.latency;
  }
  const auto extra = jitter_random_.uniform(0, static_cast<std::uint64_t>(spec.jitter.count()));
  return spec.latency + SimTime(static_cast<SimTime::rep>(extra));
}

SimTime Fabric::transmission_time(std::string_view from, std::string_view to,
                                  std::size_t bytes) const {
  const std::uint64_t rate = link(from, to).bytes_per_second;
  if (rate == 0 || bytes == 0) {
    return SimTime::zero();
  }

  // Whole seconds and the rest apart, so that large writes do not overflow; rounded up,
  // so that every byte costs time.
  constexpr std::uint64_t ns_per_second = 1'000'000'000;
  const std::uint64_t whole_seconds = bytes / rate;
  const std::uint64_t rest_bytes = bytes % rate;
  const std::uint64_t rest_ns = (rest_bytes * ns_per_second + rate - 1) / rate;
  return SimTime(static_cast<SimTime::rep>(whole_seconds * ns_per_second + rest_ns));
}

void Fabric::partition(std::string_view a, std::string_view b) {
  if (a == b || !partitions_.insert(pair_of(a, b)).second) {
    return;
  }
  world_.record(trace_node, "net.partition", {{"a", a}, {"b", b}});
}

void Fabric::heal(std::string_view a, std::string_view b) {
  const NodePair pair = pair_of(a, b);
  if (partitions_.contains(pair)) {
    heal_pair(pair);
  }
}

void Fabric::heal_all() {
  while (!partitions_.empty()) {
    heal_pair(*partitions_.begin());
  }
}

bool Fabric::partitioned(std::string_view a, std::string_view b) const {
  return a != b && partitions_.contains(pair_of(a, b));
}

void Fabric::heal_pair(const NodePair& healed) {
  const NodePair pair = healed;  // `healed` may refer into the set
  partitions_.erase(pair);
  world_.record(trace_node, "net.heal", {{"a", pair.first}, {"b", pair.second}});

  // What waited at the partition goes on, oldest connection and connect first.
  for (const auto& [id, connection] : connections_) {
    if (pair_of(connection->node(Connection::client), connection->node(Connection::server)) ==
        pair) {
      connection->release();
    }
  }
  for (const auto& [id, op] : connects_) {
    op->on_heal(pair.first, pair.second);
  }
}

std::size_t Fabric::reset_connections(std::string_view a, std::string_view b) {
  const NodePair pair = pair_of(a, b);
  std::size_t count = 0;
  for (const auto& [id, connection] : connections_) {
    const NodePair ends =
        pair_of(connection->node(Connection::client), connection->node(Connection::server));
    if (ends == pair && connection->reset_both()) {
      ++count;
    }
  }
  return count;
}

runtime::Result<runtime::Listener> Fabric::listen(Node& node, const runtime::Endpoint& address) {
  const std::string host = normalise_host(address.host);

  // The node listens on its own address, on all of them, or on loopback only.
  if (host.empty()) {
    return runtime::Error::bad_endpoint;
  }
  if (host != node.address() && host != any_address && host != loopback_address) {
    return runtime::error_code(EADDRNOTAVAIL, boost::system::system_category());
  }

  // Port 0 asks for an ephemeral port; any other must be free on that host.
  const std::uint16_t port = address.port != 0 ? address.port : ephemeral_port(node, host);
  if (port == 0 || port_taken(node, port, host)) {
    return runtime::Error::address_in_use;
  }
  runtime::Endpoint bound{host, port};
  auto listener = std::make_unique<SimListener>(node, *this, bound);
  listeners_.emplace(ListenerKey{std::string(node.name()), port, host}, listener.get());
  world_.record(node.name(), "net.listen", {{"address", bound.to_string()}});
  return runtime::Listener(std::move(listener));
}

void Fabric::unlisten(const SimListener& listener) {
  const runtime::Endpoint bound = listener.local_endpoint();
  auto found =
      listeners_.find(ListenerKey{std::string(listener.node().name()), bound.port, bound.host});
  if (found != listeners_.end() && found->second == &listener) {
    listeners_.erase(found);
  }
}

SimListener* Fabric::find_listener(const Node& target, const runtime::Endpoint& address) const {
  // A listener on the very address wins over one on every address.
  for (std::string_view host : {std::string_view(address.host), any_address}) {
    auto found =
        listeners_.find(ListenerKey{std::string(target.name()), address.port, std::string(host)});
    if (found != listeners_.end()) {
      return found->second;
    }
  }
  return nullptr;
}

void Fabric::connect(Node& node, const runtime::Endpoint& address, runtime::StreamHandler handler) {
  runtime::Endpoint to{normalise_host(address.host), address.port};

  // Loopback and the node's own address stay on the node; other addresses name a node.
  const bool local = to.host == loopback_address || to.host == node.address();
  Node* target = local ? &node : world_.find_node_by_address(to.host);

  // The connecting side speaks from the address the target sees it on.
  const std::string from_host = to.host == loopback_address ? to.host : node.address();
  runtime::Endpoint from{from_host, ephemeral_port(node, from_host)};

  const std::uint64_t id = next_connect_id_++;
  auto op = std::make_unique<ConnectOp>(node, *this, id, std::move(from), std::move(to), target,
                                        std::move(handler));
  ConnectOp& started = *op;
  connects_.emplace(id, std::move(op));
  started.start();
}

void Fabric::forget(const ConnectOp& op) {
  connects_.erase(op.id());
}

void Fabric::bury(const ConnectOp& op, Graveyard& graveyard) {
  auto found = connects_.find(op.id());
  assert(found != connects_.end());
  graveyard.bury(std::move(found->second));
  connects_.erase(found);
}

std::uint64_t Fabric::enlist(Connection& connection) {
  const std::uint64_t id = next_connection_id_++;
  connections_.emplace(id, &connection);
  NetworkAccess::count_connection(network_);
  return id;
}

void Fabric::delist(std::uint64_t id) {
  connections_.erase(id);
}

Fabric::NodePair Fabric::pair_of(std::string_view a, std::string_view b) {
  if (b < a) {
    std::swap(a, b);
  }
  return {std::string(a), std::string(b)};
}

bool Fabric::port_taken(const Node& node, std::uint16_t port, std::string_view host) const {
  // A port held on every address clashes with each address, and the other way round.
  const std::string name(node.name());
  auto first = listeners_.lower_bound(ListenerKey{name, port, std::string()});
  for (auto it = first; it != listeners_.end(); ++it) {
    const auto& [node_name, held_port, held_host] = it->first;
    if (node_name != name || held_port != port) {
      break;
    }
    if (held_host == host || held_host == any_address || host == any_address) {
      return true;
    }
  }
  return false;
}

std::uint16_t Fabric::ephemeral_port(const Node& node, std::string_view host) {
  auto [next, inserted] = next_port_.try_emplace(std::string(node.name()), ephemeral_port_first);

  // Count up from where the node stopped, skipping ports its listeners hold.
  constexpr unsigned span = ephemeral_port_last - ephemeral_port_first + 1;
  for (unsigned tried = 0; tried < span; ++tried) {
    const std::uint16_t port = next->second;
    next->second =
        port == ephemeral_port_last ? ephemeral_port_first : static_cast<std::uint16_t>(port + 1);
    if (!port_taken(node, port, host)) {
      return port;
    }
  }
  return 0;
}

}  // namespace sim
