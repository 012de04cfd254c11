#include "runtime/real/real_timer.hpp"

#include <utility>

namespace runtime {

RealTimer::RealTimer(const asio::any_io_executor& executor) : timer_(executor) {}

void RealTimer::wait(SteadyTime deadline, WaitHandler handler) {
  // Asio's timer honours the handler's cancellation slot and completes through the
  // handler's executor, so the handler goes straight through.
  timer_.expires_at(deadline);
  timer_.async_wait(std::move(handler));
}

void RealTimer::cancel() { timer_.cancel(); }

}  // namespace runtime
