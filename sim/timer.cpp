#include "sim/timer.hpp"

#include <cassert>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>

#include "runtime/completion.hpp"
#include "sim/world.hpp"

namespace sim {

namespace asio = boost::asio;

SimTimer::SimTimer(Node& node) : Resource(node) {}

SimTimer::~SimTimer() {
  // Like an Asio timer: destroying it aborts the pending wait.
  if (handler_ && alive()) {
    cancel();
  }
}

void SimTimer::wait(runtime::SteadyTime deadline, runtime::WaitHandler handler) {
  if (!alive()) {
    return;  // the node crashed: nothing it starts runs
  }
  assert(!handler_ && "one wait at a time");
  handler_.emplace(std::move(handler));

  auto slot = asio::get_associated_cancellation_slot(*handler_);
  if (slot.is_connected()) {
    slot.assign([this](asio::cancellation_type) { cancel(); });
  }
  const SimTime when = deadline.time_since_epoch();
  event_ = node().world().scheduler().at(when, [this] { complete({}); });
}

void SimTimer::cancel() {
  if (!handler_) {
    return;
  }
  node().world().scheduler().cancel(event_);
  complete(asio::error::operation_aborted);
}

void SimTimer::complete(runtime::error_code ec) {
  auto handler = std::move(*handler_);
  handler_.reset();
  runtime::post_completion(node().executor(), std::move(handler), ec);
}

void SimTimer::abandon(Graveyard& graveyard) {
  if (!handler_) {
    return;
  }
  node().world().scheduler().cancel(event_);
  auto slot = asio::get_associated_cancellation_slot(*handler_);
  if (slot.is_connected()) {
    slot.clear();
  }
  graveyard.bury(std::move(*handler_));
  handler_.reset();
}

}  // namespace sim
