// The seam. A Host is everything a node (the gateway, the emulator, a simulated peer)
// gets from the world it runs in: an executor to run on, clocks and timers, the network,
// durable storage, seeded randomness and an event sink. The real world implements it over
// Asio, TCP and POSIX files (runtime/real/); the simulated world over virtual time, memory
// and a simulated disk (sim/). Code behind the seam touches the world only through it.
#pragma once

#include <memory>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "runtime/events.hpp"
#include "runtime/network.hpp"
#include "runtime/random.hpp"
#include "runtime/storage.hpp"
#include "runtime/time.hpp"

namespace runtime {

class Host {
 public:
  virtual ~Host() = default;

  // The node's name ("gateway", "source-1"); in the real world, the program's.
  virtual std::string_view name() const = 0;

  virtual asio::any_io_executor executor() const = 0;
  virtual const Clock& clock() const = 0;
  virtual std::unique_ptr<TimerImpl> make_timer() = 0;
  virtual Network& network() = 0;
  virtual Storage& storage() = 0;

  // A generator for one component of this node, derived from the world's seed and the
  // node's and component's names.
  virtual Random random(std::string_view component) = 0;

  virtual EventSink& events() = 0;
};

}  // namespace runtime
