// How long an emulation takes. Each model draws from the emulator's seeded generator, so a
// simulated world with the same seed gives the same delays in the same order.
#pragma once

#include <chrono>

#include "runtime/random.hpp"
#include "runtime/time.hpp"

namespace emulator_mock {

// The longest delay any model yields: long-tailed models are clipped here so that a
// draw never overflows a deadline computed from it.
inline constexpr std::chrono::hours max_delay{24 * 30};

struct DelayModel {
  enum class Kind { fixed, uniform, exponential, lognormal };

  Kind kind = Kind::fixed;
  std::chrono::milliseconds value{0};   // fixed
  std::chrono::milliseconds min{0};     // uniform, inclusive
  std::chrono::milliseconds max{0};     // uniform, inclusive
  std::chrono::milliseconds mean{0};    // exponential
  std::chrono::milliseconds median{0};  // lognormal: exp(mu)
  double sigma = 0;                     // lognormal: the spread of the underlying normal

  static DelayModel fixed_delay(std::chrono::milliseconds delay) {
    return DelayModel{.kind = Kind::fixed, .value = delay};
  }

  // One delay, in whole milliseconds. A fixed model draws nothing, so adding a fixed
  // delay to a behaviour does not shift the numbers other rules draw.
  std::chrono::milliseconds draw(runtime::Random& random) const;

  friend bool operator==(const DelayModel&, const DelayModel&) = default;
};

}  // namespace emulator_mock
