// The seam for a program running in the real world: one node on one io_context, with the
// system's clocks, Asio timers, TCP, the storage it is given, and a seeded generator.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/host.hpp"
#include "runtime/real/real_clock.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace runtime {

class RealNetwork;

struct RealHostOptions {
  std::string name;    // the program's name, also the root of every generator's name
  std::uint64_t seed;  // from --seed, or seed_from_entropy() for a program without one
  asio::io_context& io;
  Storage& storage;              // owned by the caller, such as a PosixStorage
  EventSink* events = nullptr;   // nullptr discards events
};

class RealHost final : public Host {
 public:
  explicit RealHost(RealHostOptions options);
  ~RealHost() override;

  std::string_view name() const override { return name_; }
  asio::any_io_executor executor() const override;
  const Clock& clock() const override { return clock_; }
  std::unique_ptr<TimerImpl> make_timer() override;
  Network& network() override;
  Storage& storage() override { return *storage_; }

  // The generator named "<host name>/<component>" under the host's seed: the same seed and
  // names give the same numbers as in any earlier run.
  Random random(std::string_view component) override;

  EventSink& events() override { return *events_; }

 private:
  std::string name_;
  std::uint64_t seed_;
  asio::io_context* io_;
  Storage* storage_;
  EventSink* events_;
  RealClock clock_;
  std::unique_ptr<RealNetwork> network_;
};

// A seed drawn from the system's entropy source, for programs run without --seed. Print
// it, so that a run can be repeated with the same randomness.
std::uint64_t seed_from_entropy();

}  // namespace runtime
