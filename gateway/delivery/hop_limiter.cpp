#include "gateway/delivery/hop_limiter.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gateway {

namespace asio = boost::asio;

// One waiting session: its timer never expires on its own; release() cancels it to wake
// the session once a slot is handed over.
struct HopLimiter::Waiter {
  explicit Waiter(runtime::Host& host) : timer(host) {}
  runtime::Timer timer;
  bool granted = false;
};

HopLimiter::Lease::Lease(Lease&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), hop_(std::move(other.hop_)) {}

HopLimiter::Lease::~Lease() {
  if (limiter_ != nullptr) {
    limiter_->release(hop_);
  }
}

HopLimiter::HopLimiter(runtime::Host& host, std::size_t sessions_max)
    : host_(host), sessions_max_(sessions_max) {
  assert(sessions_max_ > 0);
}

asio::awaitable<HopLimiter::Lease> HopLimiter::acquire(std::string hop) {
  HopState& state = hops_[hop];
  if (state.open < sessions_max_ && state.waiters.empty()) {
    ++state.open;
    co_return Lease(*this, std::move(hop));
  }

  // Wait for release() to hand a slot over. Should the waiting coroutine be destroyed
  // first (its node crashed), the guard takes it out of the line.
  Waiter waiter(host_);
  waiter.timer.expires_at(runtime::SteadyTime::max());
  state.waiters.push_back(&waiter);
  struct Guard {
    HopLimiter& limiter;
    const std::string& hop;
    Waiter& waiter;
    ~Guard() {
      if (!waiter.granted) {
        limiter.forget(hop, &waiter);
      }
    }
  } guard{*this, hop, waiter};
  runtime::error_code ec;
  co_await waiter.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  assert(waiter.granted && "only release() wakes a waiter");
  co_return Lease(*this, hop);
}

std::size_t HopLimiter::open_sessions(const std::string& hop) const {
  auto found = hops_.find(hop);
  return found == hops_.end() ? 0 : found->second.open;
}

void HopLimiter::release(const std::string& hop) {
  auto found = hops_.find(hop);
  assert(found != hops_.end() && found->second.open > 0);
  HopState& state = found->second;

  // The slot passes straight to the first waiter, so no newcomer can overtake it.
  if (!state.waiters.empty()) {
    Waiter* next = state.waiters.front();
    state.waiters.pop_front();
    next->granted = true;
    next->timer.cancel();
    return;
  }
  if (--state.open == 0) {
    hops_.erase(found);
  }
}

void HopLimiter::forget(const std::string& hop, Waiter* waiter) {
  auto found = hops_.find(hop);
  if (found == hops_.end()) {
    return;
  }
  auto& waiters = found->second.waiters;
  waiters.erase(std::remove(waiters.begin(), waiters.end(), waiter), waiters.end());
}

}  // namespace gateway
