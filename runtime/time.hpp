// Time as the gateway sees it: a monotonic clock for durations and deadlines, a wall
// clock for headers, logs and certificate checks, and timers. In the simulated world all
// three are virtual.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include "runtime/error.hpp"

namespace runtime {

namespace asio = boost::asio;

using Duration = std::chrono::steady_clock::duration;
using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime now() const = 0;
  virtual WallTime wall_now() const = 0;
};

using WaitHandler = asio::any_completion_handler<void(error_code)>;

// One timer's implementation. At most one wait is outstanding; cancel() completes it with
// asio::error::operation_aborted. A wait honours its handler's cancellation slot, so
// `co_await (read || timer.async_wait(...))` works in both worlds.
class TimerImpl {
 public:
  virtual ~TimerImpl() = default;
  virtual void wait(SteadyTime deadline, WaitHandler handler) = 0;
  virtual void cancel() = 0;
};

class Host;

class Timer {
 public:
  explicit Timer(Host& host);
  Timer(std::unique_ptr<TimerImpl> impl, const Clock& clock)
      : impl_(std::move(impl)), clock_(&clock) {}
  Timer(Timer&&) noexcept = default;
  Timer& operator=(Timer&&) noexcept = default;

  void expires_at(SteadyTime deadline) { deadline_ = deadline; }
  void expires_after(Duration delay) { deadline_ = clock_->now() + delay; }
  SteadyTime expiry() const { return deadline_; }

  // Completes with success at the expiry, or operation_aborted if cancelled first.
  template <typename Token>
  auto async_wait(Token&& token) {
    return asio::async_initiate<Token, void(error_code)>(
        [](auto handler, TimerImpl* impl, SteadyTime deadline) {
          impl->wait(deadline, WaitHandler(std::move(handler)));
        },
        token, impl_.get(), deadline_);
  }

  void cancel() { impl_->cancel(); }

 private:
  std::unique_ptr<TimerImpl> impl_;
  const Clock* clock_ = nullptr;
  SteadyTime deadline_{};
};

}  // namespace runtime
