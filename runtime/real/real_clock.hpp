// The real world's clocks: the system's monotonic clock for durations and deadlines, its
// wall clock for headers, logs and certificate checks. This folder is the one place
// outside programs' main() allowed to read them; everything else asks a Host.
#pragma once

#include <chrono>

#include "runtime/time.hpp"

namespace runtime {

class RealClock final : public Clock {
 public:
  SteadyTime now() const override { return std::chrono::steady_clock::now(); }
  WallTime wall_now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace runtime
