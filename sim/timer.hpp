// A timer in virtual time: a scheduler event that completes a stored wait handler.
#pragma once

#include <optional>

#include "runtime/time.hpp"
#include "sim/node.hpp"
#include "sim/scheduler.hpp"

namespace sim {

class SimTimer final : public runtime::TimerImpl, public Resource {
 public:
  explicit SimTimer(Node& node);
  ~SimTimer() override;

  void wait(runtime::SteadyTime deadline, runtime::WaitHandler handler) override;
  void cancel() override;
  void abandon(Graveyard& graveyard) override;

 private:
  void complete(runtime::error_code ec);

  std::optional<runtime::WaitHandler> handler_;  // emplaced, never assigned
  Scheduler::EventId event_ = 0;
};

}  // namespace sim
