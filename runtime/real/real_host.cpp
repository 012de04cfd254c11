#include "runtime/real/real_host.hpp"

#include <random>
#include <utility>

#include <boost/asio/io_context.hpp>

#include "runtime/real/real_network.hpp"
#include "runtime/real/real_timer.hpp"

namespace runtime {
namespace {

// Where events go when the program has nowhere to put them. It holds no state, so every
// host can share the one instance.
class DiscardEvents final : public EventSink {
 public:
  using EventSink::record;
  void record(std::string_view /*event*/, std::span<const Field> /*fields*/) override {}
};

EventSink& discard_events() {
  static DiscardEvents sink;
  return sink;
}

}  // namespace

RealHost::RealHost(RealHostOptions options)
    : name_(std::move(options.name)),
      seed_(options.seed),
      io_(&options.io),
      storage_(&options.storage),
      events_(options.events != nullptr ? options.events : &discard_events()),
      network_(std::make_unique<RealNetwork>(options.io.get_executor())) {}

RealHost::~RealHost() = default;

asio::any_io_executor RealHost::executor() const { return io_->get_executor(); }

std::unique_ptr<TimerImpl> RealHost::make_timer() {
  return std::make_unique<RealTimer>(io_->get_executor());
}

Network& RealHost::network() { return *network_; }

Random RealHost::random(std::string_view component) {
  std::string key = name_ + "/";
  key += component;
  return Random::derive(seed_, key);
}

std::uint64_t seed_from_entropy() {
  // random_device yields 32 bits per call; two calls fill the seed.
  std::random_device device;
  const auto high = static_cast<std::uint64_t>(device());
  const auto low = static_cast<std::uint64_t>(device());
  return (high << 32) | low;
}

}  // namespace runtime
