// The simulated world: virtual time, named nodes on a simulated network, one seed.
//
// The world runs on one thread. run_*() repeatedly runs every handler that is ready on
// any node (nodes in the order they were added), and when nothing is ready, jumps virtual
// time to the next scheduled event (a timer, a packet arriving) and runs it. The same
// seed and the same calls give the same trace, byte for byte.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/random.hpp"
#include "runtime/time.hpp"
#include "sim/node.hpp"
#include "sim/scheduler.hpp"
#include "sim/trace.hpp"

namespace sim {

class Network;

struct WorldOptions {
  std::uint64_t seed = 1;
  // The wall clock at virtual time zero: 2026-01-01T00:00:00Z unless a scenario says.
  runtime::WallTime wall_start = runtime::WallTime(std::chrono::seconds(1767225600));
};

class World {
 public:
  explicit World(WorldOptions options = {});
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  std::uint64_t seed() const { return options_.seed; }
  SimTime now() const { return scheduler_.now(); }
  runtime::SteadyTime steady_now() const { return runtime::SteadyTime(now()); }
  runtime::WallTime wall_now() const;

  Scheduler& scheduler() { return scheduler_; }
  Network& network() { return *network_; }
  Trace& trace() { return trace_; }

  // A world-level generator (network jitter, fault choices), derived from the seed.
  runtime::Random random(std::string_view component) const;

  // Adds a node; names and addresses are unique. The node runs nothing until boot().
  Node& add_node(std::string name, std::string address);
  Node& node(std::string_view name) const;
  Node* find_node(std::string_view name) const;
  Node* find_node_by_address(std::string_view address) const;
  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }

  // Schedules a world action (a crash, a partition) at a virtual time.
  void at(SimTime when, std::function<void()> action) { scheduler_.at(when, std::move(action)); }

  // Runs everything due up to `until`, then leaves the clock at `until`.
  void run_until(SimTime until);
  void run_for(SimTime duration) { run_until(now() + duration); }
  // Runs until nothing is ready or scheduled, or the clock would pass `limit`; true if
  // the world went idle.
  bool run_until_idle(SimTime limit = SimTime::max());
  // Runs until `done()` holds (checked whenever handlers have run), or the clock would
  // pass `limit`; true if `done()` held.
  bool run_until(const std::function<bool()>& done, SimTime limit = SimTime::max());

  // Writes one trace line stamped with the current virtual time.
  void record(std::string_view node, std::string_view event,
              std::span<const runtime::Field> fields);
  void record(std::string_view node, std::string_view event,
              std::initializer_list<runtime::Field> fields) {
    record(node, event, std::span<const runtime::Field>(fields.begin(), fields.size()));
  }

 private:
  // Runs ready handlers on every node until none is ready; true if any ran.
  bool drain();

  WorldOptions options_;
  Scheduler scheduler_;
  Trace trace_;
  std::unique_ptr<Network> network_;
  std::vector<std::unique_ptr<Node>> nodes_;  // in the order they were added
};

}  // namespace sim
