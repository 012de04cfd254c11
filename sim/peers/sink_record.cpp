#include "sim/peers/sink_record.hpp"

#include "gateway/smtp/ascii.hpp"

namespace peers {

std::vector<SinkCommand> SinkRecord::commands_named(std::string_view verb) const {
  std::vector<SinkCommand> found;
  for (const SinkCommand& command : commands) {
    if (gateway::smtp::ascii::istarts_with(command.line, verb)) {
      found.push_back(command);
    }
  }
  return found;
}

}  // namespace peers
