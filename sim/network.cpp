#include "sim/network.hpp"

#include <utility>

#include "sim/net_fabric.hpp"
#include "sim/node.hpp"

namespace sim {
namespace {

// The seam's network as one node sees it: listeners on its addresses, connects from them.
class NodeNetwork final : public runtime::Network {
 public:
  NodeNetwork(Fabric& fabric, Node& node) : fabric_(fabric), node_(node) {}

  runtime::Result<runtime::Listener> listen(const runtime::Endpoint& address) override {
    return fabric_.listen(node_, address);
  }

  void connect(const runtime::Endpoint& address, runtime::StreamHandler handler) override {
    fabric_.connect(node_, address, std::move(handler));
  }

 private:
  Fabric& fabric_;
  Node& node_;
};

}  // namespace

struct Network::State {
  State(World& world, Network& network) : fabric(world, network) {}
  Fabric fabric;
};

Network::Network(World& world) : state_(std::make_unique<State>(world, *this)), world_(world) {}

Network::~Network() = default;

void Network::set_default_link(const LinkSpec& spec) {
  state_->fabric.set_default_link(spec);
}

void Network::set_link(std::string_view a, std::string_view b, const LinkSpec& spec) {
  state_->fabric.set_link(a, b, spec);
}

const LinkSpec& Network::link(std::string_view a, std::string_view b) const {
  return state_->fabric.link(a, b);
}

void Network::partition(std::string_view a, std::string_view b) {
  state_->fabric.partition(a, b);
}

void Network::heal(std::string_view a, std::string_view b) {
  state_->fabric.heal(a, b);
}

void Network::heal_all() {
  state_->fabric.heal_all();
}

bool Network::partitioned(std::string_view a, std::string_view b) const {
  return state_->fabric.partitioned(a, b);
}

std::size_t Network::reset_connections(std::string_view a, std::string_view b) {
  return state_->fabric.reset_connections(a, b);
}

std::unique_ptr<runtime::Network> Network::attach(Node& node) {
  return std::make_unique<NodeNetwork>(state_->fabric, node);
}

}  // namespace sim
