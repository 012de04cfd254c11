#include "emulator_mock/delay.hpp"

#include <algorithm>
#include <cmath>

namespace emulator_mock {
namespace {

std::chrono::milliseconds clip(double milliseconds) {
  const double limit = std::chrono::duration<double, std::milli>(max_delay).count();
  if (!(milliseconds > 0)) {
    return std::chrono::milliseconds(0);
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(milliseconds, limit)));
}

}  // namespace

std::chrono::milliseconds DelayModel::draw(runtime::Random& random) const {
  switch (kind) {
    case Kind::fixed:
      return value;
    case Kind::uniform: {
      const auto low = static_cast<std::uint64_t>(min.count());
      const auto high = static_cast<std::uint64_t>(std::max(min, max).count());
      return std::chrono::milliseconds(static_cast<std::int64_t>(random.uniform(low, high)));
    }
    case Kind::exponential:
      return clip(random.exponential(static_cast<double>(mean.count())));
    case Kind::lognormal: {
      const double mu = std::log(static_cast<double>(std::max<std::int64_t>(median.count(), 1)));
      return clip(std::exp(random.normal(mu, sigma)));
    }
  }
  return value;
}

}  // namespace emulator_mock
