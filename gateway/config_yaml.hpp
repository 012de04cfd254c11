// Parsing a gateway configuration that is part of a larger YAML document, such as the
// `world.gateway` section of a scenario, so that errors name the lines of that document.
// Callers include yaml-cpp themselves; the gateway library links it privately.
#pragma once

#include <string>
#include <string_view>

#include "gateway/config.hpp"

namespace YAML {
class Node;
}

namespace gateway {

// As parse_config(), for a node already loaded. `key_prefix` leads every key path in
// errors ("world.gateway" gives "world.gateway.routes[0].tls"); `file_path` names the
// document and anchors relative paths.
ConfigResult parse_config_node(const YAML::Node& root, const std::string& file_path,
                               std::string_view key_prefix);

}  // namespace gateway
