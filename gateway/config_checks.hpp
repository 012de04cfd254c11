// Checks that relate values to one another: a route for every accepted domain, the
// certificate settings a TLS policy needs, intervals that fit their deadlines. They run
// after reading, on a configuration whose values are each valid alone.
#pragma once

#include "gateway/config.hpp"
#include "gateway/config_reader.hpp"

namespace gateway::config_reader {

// Reports each inconsistency to `context`, at the line of the key that has to change.
void check_config(const Config& config, Context& context);

}  // namespace gateway::config_reader
