#include "runtime/host.hpp"

namespace runtime {

Timer::Timer(Host& host) : Timer(host.make_timer(), host.clock()) {}

}  // namespace runtime
