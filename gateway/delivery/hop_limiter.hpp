// Bounds how many sessions are open at once to each next hop (the configuration's
// delivery.max_connections_per_hop), so that a backlog released after an outage does not
// flood the internal server. Sessions beyond the bound wait their turn, first come first
// served.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "runtime/host.hpp"

namespace gateway {

class HopLimiter {
 public:
  // A granted slot; destroying it frees the slot for the next waiting session.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

   private:
    friend class HopLimiter;
    Lease(HopLimiter& limiter, std::string hop) : limiter_(&limiter), hop_(std::move(hop)) {}

    HopLimiter* limiter_;
    std::string hop_;
  };

  // sessions_max > 0.
  HopLimiter(runtime::Host& host, std::size_t sessions_max);
  HopLimiter(const HopLimiter&) = delete;
  HopLimiter& operator=(const HopLimiter&) = delete;

  // Waits until a session to `hop` may start.
  boost::asio::awaitable<Lease> acquire(std::string hop);

  // Sessions open to `hop` right now.
  std::size_t open_sessions(const std::string& hop) const;

 private:
  struct Waiter;
  struct HopState {
    std::size_t open = 0;
    std::deque<Waiter*> waiters;  // in arrival order
  };

  void release(const std::string& hop);
  void forget(const std::string& hop, Waiter* waiter);

  runtime::Host& host_;
  std::size_t sessions_max_;
  std::map<std::string, HopState> hops_;  // by "host:port"
};

}  // namespace gateway
