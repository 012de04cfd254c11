// A node of the simulated world: one named machine with an address, its own executor, a
// simulated disk and a view of the simulated network. The node implements the seam
// (runtime::Host), so the gateway, the emulator and the peers run on it unchanged.
//
// Crash and restart. Everything a node's code creates through the seam (timers, streams,
// listeners, pending connects) is a Resource registered with the node. crash() abandons
// them all: their stored handlers are destroyed without being called (which destroys the
// coroutines suspended on them), the node's executor is destroyed with whatever was queued
// on it, the booted process object is destroyed, and the disk reverts to what was synced.
// restart() boots the process again from that disk.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "runtime/host.hpp"
#include "sim/scheduler.hpp"

namespace sim {

class World;
class Node;
class Disk;

// Holds move-only objects (stored completion handlers) until they can be destroyed
// safely, all at once, in the order they were buried.
class Graveyard {
 public:
  template <typename T>
  void bury(T&& value) {
    items_.push_back(std::make_unique<Holder<std::decay_t<T>>>(std::forward<T>(value)));
  }
  bool empty() const { return items_.empty(); }
  void clear();

 private:
  struct Item {
    virtual ~Item() = default;
  };
  template <typename T>
  struct Holder final : Item {
    explicit Holder(T&& v) : value(std::move(v)) {}
    T value;
  };
  std::vector<std::unique_ptr<Item>> items_;
};

// Something a node's code holds that the world must disarm when the node crashes.
class Resource {
 public:
  explicit Resource(Node& node);
  virtual ~Resource();
  Resource(const Resource&) = delete;
  Resource& operator=(const Resource&) = delete;

  Node& node() const { return *node_; }
  // False once the node crashed: every later operation must do nothing (or fail).
  bool alive() const { return alive_; }

  // Called once, when the node crashes: move every stored handler into `graveyard`
  // (never call it), cancel scheduled events, and tell peers what a crash looks like to
  // them. Afterwards the object is inert until destroyed.
  virtual void abandon(Graveyard& graveyard) = 0;

 private:
  friend class Node;
  Node* node_;
  std::uint64_t id_;
  bool alive_ = true;
};

class Node final : public runtime::Host {
 public:
  // What a node runs: called at boot and at every restart; the object it returns lives
  // until the node crashes (or the world ends).
  using Boot = std::function<std::shared_ptr<void>(runtime::Host&)>;

  Node(World& world, std::string name, std::string address);
  ~Node() override;

  const std::string& address() const { return address_; }
  World& world() const { return *world_; }
  bool up() const { return up_; }
  // How many times the node has crashed.
  std::uint64_t generation() const { return generation_; }
  Disk& disk() { return *disk_; }

  // Sets what the node runs and starts it.
  void boot(Boot boot);
  void crash();
  void restart();

  // Shifts this node's wall clock (not its monotonic clock): a machine whose clock is off.
  void set_wall_offset(runtime::Duration offset) { wall_offset_ = offset; }

  // Runs the handlers that are ready on this node; returns how many ran.
  std::size_t poll();

  // runtime::Host
  std::string_view name() const override { return name_; }
  boost::asio::any_io_executor executor() const override;
  const runtime::Clock& clock() const override { return clock_; }
  std::unique_ptr<runtime::TimerImpl> make_timer() override;
  runtime::Network& network() override { return *network_; }
  runtime::Storage& storage() override;
  runtime::Random random(std::string_view component) override;
  runtime::EventSink& events() override { return events_; }

 private:
  friend class Resource;

  class NodeClock final : public runtime::Clock {
   public:
    explicit NodeClock(const Node& node) : node_(node) {}
    runtime::SteadyTime now() const override;
    runtime::WallTime wall_now() const override;

   private:
    const Node& node_;
  };

  class NodeEvents final : public runtime::EventSink {
   public:
    explicit NodeEvents(Node& node) : node_(node) {}
    using runtime::EventSink::record;
    void record(std::string_view event, std::span<const runtime::Field> fields) override;

   private:
    Node& node_;
  };

  std::uint64_t enroll(Resource& resource);
  void withdraw(std::uint64_t id);
  void abandon_resources(Graveyard& graveyard);

  World* world_;
  std::string name_;
  std::string address_;
  NodeClock clock_{*this};
  NodeEvents events_{*this};
  runtime::Duration wall_offset_{0};
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<Disk> disk_;
  std::unique_ptr<runtime::Network> network_;
  std::map<std::uint64_t, Resource*> resources_;  // keyed by enrolment order
  std::uint64_t next_resource_id_ = 1;
  Boot boot_;
  std::shared_ptr<void> process_;
  bool up_ = false;
  std::uint64_t generation_ = 0;
};

}  // namespace sim
