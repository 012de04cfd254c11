// A timer of the real world, over an Asio steady timer. Under libfaketime the steady clock
// and the timer speed up together, so deadlines keep their meaning in accelerated runs.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "runtime/time.hpp"

namespace runtime {

class RealTimer final : public TimerImpl {
 public:
  explicit RealTimer(const asio::any_io_executor& executor);

  // Completes `handler` at `deadline`, or with operation_aborted when cancelled through
  // cancel(), through the handler's cancellation slot, or by destroying the timer.
  void wait(SteadyTime deadline, WaitHandler handler) override;
  void cancel() override;

 private:
  asio::steady_timer timer_;
};

}  // namespace runtime
