// The simulated network's shared state: links and partitions between nodes, listeners and
// the ports they hold, open connections and connects in progress. sim::Network is its
// public face; the streams, listeners and connects it creates reach each other through it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "runtime/network.hpp"
#include "runtime/random.hpp"
#include "sim/network.hpp"
#include "sim/scheduler.hpp"

namespace sim {

class Connection;
class ConnectOp;
class Graveyard;
class Node;
class SimListener;
class World;

// The link a node uses to reach itself, through 127.0.0.1 or its own address: a short
// fixed latency, no jitter, unlimited bandwidth, and never partitioned.
inline constexpr LinkSpec loopback_link{std::chrono::microseconds(10), SimTime{0}, 0};

// The host every interface of a node answers to, and the one only the node itself reaches.
inline constexpr std::string_view any_address = "0.0.0.0";
inline constexpr std::string_view loopback_address = "127.0.0.1";

// Ports a node hands out when asked for port 0 or when it connects, counted up and wrapped.
inline constexpr std::uint16_t ephemeral_port_first = 49152;
inline constexpr std::uint16_t ephemeral_port_last = 65535;

class Fabric {
 public:
  Fabric(World& world, Network& network);
  ~Fabric();
  Fabric(const Fabric&) = delete;
  Fabric& operator=(const Fabric&) = delete;

  World& world() const { return world_; }
  Scheduler& scheduler() const;
  SimTime now() const;

  // Links. A node's link to itself is loopback_link unless set explicitly.
  void set_default_link(const LinkSpec& spec) { default_link_ = spec; }
  void set_link(std::string_view a, std::string_view b, const LinkSpec& spec);
  const LinkSpec& link(std::string_view a, std::string_view b) const;
  // One trip from `from` to `to`: the latency plus a fresh jitter draw.
  SimTime trip_delay(std::string_view from, std::string_view to);
  // How long `bytes` take to leave `from` towards `to` at the link's bandwidth.
  SimTime transmission_time(std::string_view from, std::string_view to, std::size_t bytes) const;

  // Partitions, by node names in either order. A node is never cut from itself.
  void partition(std::string_view a, std::string_view b);
  void heal(std::string_view a, std::string_view b);
  void heal_all();
  bool partitioned(std::string_view a, std::string_view b) const;
  std::size_t reset_connections(std::string_view a, std::string_view b);

  // Listening. Errors: Error::bad_endpoint, EADDRNOTAVAIL for an address the node does not
  // have, Error::address_in_use.
  runtime::Result<runtime::Listener> listen(Node& node, const runtime::Endpoint& address);
  void unlisten(const SimListener& listener);
  // The listener on `target` that a connection to `address` reaches, if any.
  SimListener* find_listener(const Node& target, const runtime::Endpoint& address) const;

  // Connecting: starts a connect and keeps it until it completes or its node crashes.
  void connect(Node& node, const runtime::Endpoint& address, runtime::StreamHandler handler);
  // A finished connect is destroyed; a crashed one is handed to `graveyard`.
  void forget(const ConnectOp& op);
  void bury(const ConnectOp& op, Graveyard& graveyard);
  SimTime connect_timeout() const { return network_.connect_timeout(); }

  // Open connections, so that partitions and resets can find them.
  std::uint64_t enlist(Connection& connection);
  void delist(std::uint64_t id);

 private:
  using NodePair = std::pair<std::string, std::string>;
  // node name, port, host: a port is held per host, so 127.0.0.1:25 and 10.0.0.1:25 differ.
  using ListenerKey = std::tuple<std::string, std::uint16_t, std::string>;

  static NodePair pair_of(std::string_view a, std::string_view b);
  bool port_taken(const Node& node, std::uint16_t port, std::string_view host) const;
  // The next free ephemeral port of `node` for `host`, or 0 when every one is taken.
  std::uint16_t ephemeral_port(const Node& node, std::string_view host);
  void heal_pair(const NodePair& pair);

  World& world_;
  Network& network_;
  LinkSpec default_link_;
  std::map<NodePair, LinkSpec> links_;
  std::set<NodePair> partitions_;
  runtime::Random jitter_random_;
  std::map<ListenerKey, SimListener*> listeners_;
  std::map<std::string, std::uint16_t> next_port_;    // by node name
  std::map<std::uint64_t, Connection*> connections_;  // by id, in the order they opened
  std::uint64_t next_connection_id_ = 1;
  std::map<std::uint64_t, std::unique_ptr<ConnectOp>> connects_;  // by id
  std::uint64_t next_connect_id_ = 1;
};

// The host as the network matches it: "localhost" is 127.0.0.1.
std::string normalise_host(std::string_view host);

}  // namespace sim
