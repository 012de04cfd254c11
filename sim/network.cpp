// TODO: placeholder until the simulated network lands; every call fails.
#include "sim/network.hpp"

#include <stdexcept>

namespace sim {
struct Network::State {};
Network::Network(World& world) : state_(std::make_unique<State>()), world_(world) {}
Network::~Network() = default;
std::unique_ptr<runtime::Network> Network::attach(Node&) { return nullptr; }
}  // namespace sim
