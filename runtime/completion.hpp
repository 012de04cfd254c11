// Helpers for implementations of the seam's asynchronous operations.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/post.hpp>

namespace runtime {

namespace asio = boost::asio;

// Completes `handler` with `args` on `executor` (the node's, which is the executor every
// handler in a single-threaded world is associated with), never inline: Asio's rule that
// an initiating function must not call its handler before it returns. A handler's own
// associated executor cannot be used directly: Boost 1.81's any_completion_executor does
// not satisfy asio::post's requirements.
template <typename Handler, typename... Args>
void post_completion(const asio::any_io_executor& executor, Handler handler, Args... args) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  if (slot.is_connected()) {
    slot.clear();
  }
  asio::post(executor, [handler = std::move(handler), ... args = std::move(args)]() mutable {
    std::move(handler)(std::move(args)...);
  });
}

}  // namespace runtime
