// Reading each section of a gateway configuration into its struct. Each value is checked
// on its own here; checks that relate values to one another are in config_checks.hpp.
#pragma once

#include "gateway/config.hpp"
#include "gateway/config_reader.hpp"

namespace gateway::config_reader {

// Reads the whole document. Keys that are absent keep their defaults; keys in error are
// reported to `context` and keep their defaults too, so the result is only meaningful
// when `context` has no errors.
Config read_config(const Field& root, Context& context);

}  // namespace gateway::config_reader
