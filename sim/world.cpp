#include "sim/world.hpp"

#include <cassert>
#include <stdexcept>

#include "sim/network.hpp"

namespace sim {

World::World(WorldOptions options)
    : options_(options), network_(std::make_unique<Network>(*this)) {}

World::~World() {
  // Nodes go first, newest first: their resources refer to the network and scheduler.
  while (!nodes_.empty()) {
    nodes_.pop_back();
  }
}

runtime::WallTime World::wall_now() const {
  return options_.wall_start + std::chrono::duration_cast<runtime::WallTime::duration>(now());
}

runtime::Random World::random(std::string_view component) const {
  return runtime::Random::derive(options_.seed, std::string("world/") + std::string(component));
}

Node& World::add_node(std::string name, std::string address) {
  if (find_node(name) != nullptr) {
    throw std::invalid_argument("sim: node name used twice: " + name);
  }
  if (find_node_by_address(address) != nullptr) {
    throw std::invalid_argument("sim: node address used twice: " + address);
  }
  nodes_.push_back(std::make_unique<Node>(*this, std::move(name), std::move(address)));
  return *nodes_.back();
}

Node* World::find_node(std::string_view name) const {
  for (const auto& node : nodes_) {
    if (node->name() == name) {
      return node.get();
    }
  }
  return nullptr;
}

Node& World::node(std::string_view name) const {
  Node* found = find_node(name);
  if (found == nullptr) {
    throw std::invalid_argument("sim: no node named " + std::string(name));
  }
  return *found;
}

Node* World::find_node_by_address(std::string_view address) const {
  for (const auto& node : nodes_) {
    if (node->address() == address) {
      return node.get();
    }
  }
  return nullptr;
}

bool World::drain() {
  bool any = false;
  for (;;) {
    std::size_t ran = 0;
    // Index, not iterator: a handler may add a node.
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      ran += nodes_[i]->poll();
    }
    if (ran == 0) {
      return any;
    }
    any = true;
  }
}

void World::run_until(SimTime until) {
  drain();
  while (scheduler_.run_next(until)) {
    drain();
  }
  scheduler_.advance_to(until);
}

bool World::run_until_idle(SimTime limit) {
  drain();
  while (scheduler_.run_next(limit)) {
    drain();
  }
  return scheduler_.pending() == 0;
}

bool World::run_until(const std::function<bool()>& done, SimTime limit) {
  drain();
  while (!done()) {
    if (!scheduler_.run_next(limit)) {
      return done();
    }
    drain();
  }
  return true;
}

void World::record(std::string_view node, std::string_view event,
                   std::span<const runtime::Field> fields) {
  const auto t_us = std::chrono::duration_cast<std::chrono::microseconds>(now()).count();
  trace_.record(t_us, node, event, fields);
}

}  // namespace sim
