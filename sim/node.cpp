#include "sim/node.hpp"

#include <cassert>

#include "sim/disk.hpp"
#include "sim/network.hpp"
#include "sim/timer.hpp"
#include "sim/world.hpp"

namespace sim {

void Graveyard::clear() {
  // Destroying one item may bury more (a destroyed coroutine abandons what it held), so
  // take the items out before destroying them.
  while (!items_.empty()) {
    auto items = std::move(items_);
    items_.clear();
    items.clear();
  }
}

Resource::Resource(Node& node) : node_(&node), id_(node.enroll(*this)) {}

Resource::~Resource() {
  if (alive_) {
    node_->withdraw(id_);
  }
}

Node::Node(World& world, std::string name, std::string address)
    : world_(&world),
      name_(std::move(name)),
      address_(std::move(address)),
      io_(std::make_unique<boost::asio::io_context>(1)),
      disk_(std::make_unique<Disk>(world, name_)) {
  network_ = world.network().attach(*this);
}

Node::~Node() {
  // The world is ending: tear the node down the way a crash does, minus the disk revert.
  Graveyard graveyard;
  abandon_resources(graveyard);
  graveyard.clear();
  io_.reset();
  process_.reset();
  abandon_resources(graveyard);
  graveyard.clear();
}

std::uint64_t Node::enroll(Resource& resource) {
  const std::uint64_t id = next_resource_id_++;
  resources_.emplace(id, &resource);
  return id;
}

void Node::withdraw(std::uint64_t id) { resources_.erase(id); }

void Node::abandon_resources(Graveyard& graveyard) {
  // Abandoning may destroy other resources (never create any), so re-read the front.
  while (!resources_.empty()) {
    auto first = resources_.begin();
    Resource* resource = first->second;
    resources_.erase(first);
    resource->alive_ = false;
    resource->abandon(graveyard);
  }
}

void Node::boot(Boot boot) {
  boot_ = std::move(boot);
  restart();
}

void Node::restart() {
  assert(boot_ && "boot() first");
  if (up_) {
    return;
  }
  up_ = true;
  world_->record(name_, "node.start", {{"generation", generation_}});
  process_ = boot_(*this);
}

void Node::crash() {
  if (!up_) {
    return;
  }
  up_ = false;
  ++generation_;
  world_->record(name_, "node.crash", {{"generation", generation_}});

  // Disarm every resource first, then destroy the handlers they held: that destroys the
  // coroutines suspended on them, whose destructors may only find inert resources.
  Graveyard graveyard;
  abandon_resources(graveyard);
  graveyard.clear();

  // Then what was queued to run, then the process object the coroutines referred to.
  io_ = std::make_unique<boost::asio::io_context>(1);
  abandon_resources(graveyard);
  graveyard.clear();
  process_.reset();
  abandon_resources(graveyard);
  graveyard.clear();

  disk_->crash();
}

std::size_t Node::poll() {
  if (!up_) {
    return 0;
  }
  io_->restart();
  return io_->poll();
}

boost::asio::any_io_executor Node::executor() const { return io_->get_executor(); }

std::unique_ptr<runtime::TimerImpl> Node::make_timer() { return std::make_unique<SimTimer>(*this); }

runtime::Storage& Node::storage() { return *disk_; }

runtime::Random Node::random(std::string_view component) {
  // The generation is part of the name: a restarted node must not repeat the queue ids
  // it drew before the crash.
  std::string key = name_ + "/" + std::to_string(generation_) + "/";
  key += component;
  return runtime::Random::derive(world_->seed(), key);
}

runtime::SteadyTime Node::NodeClock::now() const { return node_.world().steady_now(); }

runtime::WallTime Node::NodeClock::wall_now() const {
  return node_.world().wall_now() +
         std::chrono::duration_cast<runtime::WallTime::duration>(node_.wall_offset_);
}

void Node::NodeEvents::record(std::string_view event, std::span<const runtime::Field> fields) {
  node_.world().record(node_.name(), event, fields);
}

}  // namespace sim
