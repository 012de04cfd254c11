// The simulated network: in-memory TCP-like connections between nodes, addressed by the
// nodes' IPv4 addresses and ports.
//
// Model (each rule is covered by tests/sim/network_tests.cpp):
// - A link between two nodes has a one-way latency (fixed plus seeded jitter, which never
//   reorders bytes) and a bandwidth. Bytes written at time t are transmitted one after
//   another: transmission ends at max(t, end of the previous transmission in that
//   direction) + size / bandwidth, and the bytes arrive a latency later. A write completes
//   when its transmission ends, which is the back-pressure a writer feels.
// - connect() to an address and port nobody listens on fails with connection_refused after
//   one round trip; to an address no node has, with host_unreachable after the connect
//   timeout. A connect completes after one round trip.
// - A partition cuts the link both ways. Bytes sent across it wait and arrive after the
//   heal (TCP retransmits); a connect across it waits for the heal or fails with timed_out
//   after the connect timeout. Timeouts above the network are the application's.
// - reset_connections() makes both ends fail with connection_reset: pending and later
//   reads and writes. A crashed node's connections reset at the peer after one latency.
// - shutdown_send() is a half-close: the peer reads eof after the bytes before it.
//   close() sends the same end of stream and aborts the closer's pending operations.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "runtime/network.hpp"
#include "sim/scheduler.hpp"

namespace sim {

class World;
class Node;

struct LinkSpec {
  SimTime latency = std::chrono::microseconds(100);
  SimTime jitter{0};                      // added latency, uniform in [0, jitter]
  std::uint64_t bytes_per_second = 0;     // 0: unlimited
};

class Network {
 public:
  explicit Network(World& world);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // The link used between nodes that have no link of their own.
  void set_default_link(const LinkSpec& spec);
  // The link between two nodes (by name), both directions.
  void set_link(std::string_view a, std::string_view b, const LinkSpec& spec);
  const LinkSpec& link(std::string_view a, std::string_view b) const;

  // How long a connect waits across a partition or to an unknown host before failing.
  void set_connect_timeout(SimTime timeout) { connect_timeout_ = timeout; }

  void partition(std::string_view a, std::string_view b);
  void heal(std::string_view a, std::string_view b);
  void heal_all();
  bool partitioned(std::string_view a, std::string_view b) const;

  // Resets every open connection between the two nodes; returns how many.
  std::size_t reset_connections(std::string_view a, std::string_view b);

  // The seam's network as `node` sees it (connects originate from its address).
  std::unique_ptr<runtime::Network> attach(Node& node);

  std::uint64_t connections_opened() const { return connections_opened_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  World& world_;
  SimTime connect_timeout_ = std::chrono::seconds(75);
  std::uint64_t connections_opened_ = 0;
  friend struct NetworkAccess;
};

}  // namespace sim
