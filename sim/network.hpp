// The simulated network: in-memory TCP-like connections between nodes, addressed by the
// nodes' IPv4 addresses and ports.
//
// Model (each rule is covered by tests/sim/network_tests.cpp):
// - A link between two nodes has a one-way latency (fixed plus seeded jitter, which never
//   reorders bytes) and a bandwidth. Bytes written at time t are transmitted one after
//   another: transmission ends at max(t, end of the previous transmission in that
//   direction) + size / bandwidth, and the bytes arrive a latency later. A write completes
//   when its transmission ends, which is the back-pressure a writer feels. With unlimited
//   bandwidth a write's transmission ends at once (its completion is still posted).
//   Jitter is drawn from the world's "network" generator, once per trip, in event order.
// - A node reaches itself through 127.0.0.1 ("localhost") or its own address over its
//   loopback link: 10us latency, no jitter, unlimited bandwidth, never partitioned (see
//   loopback_link; set_link(a, a, spec) overrides it). A listener on 127.0.0.1 is reachable
//   from its own node only; one on 0.0.0.0 from everywhere.
// - listen() takes the node's address, 0.0.0.0 or 127.0.0.1/localhost, else fails with
//   EADDRNOTAVAIL; a port already held on that host (or on 0.0.0.0) gives
//   Error::address_in_use. Port 0, and every connecting side, get the node's next
//   ephemeral port, counting up from 49152.
// - connect() to an address and port nobody listens on fails with connection_refused after
//   one round trip; to an address no node has, with host_unreachable after the connect
//   timeout. A connect completes after one round trip; the server accepts after one trip.
//   A node that is down answers nothing: connects to it time out.
// - A partition cuts the link both ways. Bytes sent across it wait and arrive after the
//   heal (TCP retransmits): whatever would arrive during the partition arrives one trip
//   after the heal, in order. A connect across it waits for the heal or fails with
//   timed_out after the connect timeout. Timeouts above the network are the application's.
// - reset_connections() makes both ends fail with connection_reset at once: pending and
//   later reads and writes; unread bytes are dropped. A crashed node's connections reset
//   at the peer one latency later, after the bytes it had already transmitted.
// - shutdown_send() is a half-close: the peer reads eof after the bytes before it; later
//   writes fail with broken_pipe. close() sends the same end of stream and aborts the
//   closer's pending operations; bytes that reach a closed end draw a reset back, as
//   they do from a closed socket.
// - Trace events: net.listen, net.unlisten, net.connect, net.connected, net.accept,
//   net.refused, net.connect_failed, net.shutdown, net.close, net.reset, and, under the
//   node name "network", net.partition and net.heal. Never payload bytes or sizes: streams
//   may carry ciphertext whose sizes differ from run to run.
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
  SimTime jitter{0};                   // added latency, uniform in [0, jitter]
  std::uint64_t bytes_per_second = 0;  // 0: unlimited
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
  SimTime connect_timeout() const { return connect_timeout_; }

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
