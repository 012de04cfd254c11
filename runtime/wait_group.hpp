// Waits for a set of coroutines started side by side (the files of one message judged at
// once, the sessions of one message to several next hops): each one counts itself in
// before it is spawned and out when it ends, and the owner waits until the count is zero.
// Hold it by shared_ptr, so that it outlives whichever side finishes last.
#pragma once

#include <cstddef>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "runtime/host.hpp"
#include "runtime/time.hpp"

namespace runtime {

class WaitGroup {
 public:
  explicit WaitGroup(Host& host) : all_done_(host) {}
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  // Before spawning one.
  void add() { ++running_; }

  // When one ends; the last wakes the waiter.
  void done() {
    if (--running_ == 0) {
      all_done_.cancel();
    }
  }

  std::size_t running() const { return running_; }

  // Waits until every one added has ended, or until `until`; true when all have ended.
  asio::awaitable<bool> wait(SteadyTime until) {
    if (running_ > 0) {
      all_done_.expires_at(until);
      auto [ignored] = co_await all_done_.async_wait(asio::as_tuple(asio::use_awaitable));
      (void)ignored;
    }
    co_return running_ == 0;
  }

 private:
  std::size_t running_ = 0;
  Timer all_done_;  // cancelled when the last one ends
};

}  // namespace runtime
