#include "gateway/config.hpp"

#include <algorithm>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "gateway/config_checks.hpp"
#include "gateway/config_sections.hpp"
#include "gateway/config_values.hpp"
#include "gateway/config_yaml.hpp"

namespace gateway {
namespace {

using config_reader::Context;
using config_reader::Field;

constexpr int first_line = 1;

ConfigErrors single_error(const std::string& file_path, const YAML::Mark& mark,
                          std::string message) {
  ConfigErrors errors;
  int line = mark.is_null() ? first_line : mark.line + 1;
  errors.add(ConfigError{file_path, line, "", std::move(message)});
  return errors;
}

// Reads and checks the mapping in `root`. Cross-section checks run only when every value
// was valid alone: a value in error keeps its default, which could otherwise produce a
// second, misleading complaint about its relation to another key.
ConfigResult read_and_check(const Field& root, Context& context) {
  context.note(root.path, root.line);
  Config config = config_reader::read_config(root, context);
  if (!context.has_errors()) {
    config_reader::check_config(config, context);
  }
  if (context.has_errors()) {
    ConfigErrors errors = context.take_errors();
    errors.sort_by_line();
    return errors;
  }
  return config;
}

}  // namespace

ConfigResult parse_config(std::string_view yaml_text, const std::string& file_path) {
  // yaml-cpp reports syntax errors by throwing; this is the boundary where they become
  // errors with a line. Reading the loaded nodes does not throw.
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml_text));
  } catch (const YAML::Exception& error) {
    return single_error(file_path, error.mark, "invalid YAML: " + error.msg);
  }

  if (documents.empty() || documents.front().IsNull()) {
    return single_error(file_path, YAML::Mark::null_mark(),
                        "the file holds no settings; hostname, listen, accepted_domains, "
                        "spool_dir and routes are required");
  }
  if (documents.size() > 1) {
    return single_error(file_path, documents[1].Mark(),
                        "a second YAML document begins here; a configuration is one document");
  }
  Context context(file_path, "");
  return read_and_check(Field{documents.front(), "", first_line}, context);
}

ConfigResult parse_config_node(const YAML::Node& root, const std::string& file_path,
                               std::string_view key_prefix) {
  Context context(file_path, std::string(key_prefix));
  int line = root.Mark().is_null() ? first_line : root.Mark().line + 1;
  return read_and_check(Field{root, "", line}, context);
}

bool accepts_domain(const Config& config, std::string_view domain) {
  auto lower = config_values::to_lower(domain);
  return std::find(config.accepted_domains.begin(), config.accepted_domains.end(), lower) !=
         config.accepted_domains.end();
}

const Route* find_route(const Config& config, std::string_view domain) {
  auto lower = config_values::to_lower(domain);
  const Route* wildcard = nullptr;
  for (const auto& route : config.routes) {
    if (route.domain == lower) {
      return &route;
    }
    if (route.domain == "*" && wildcard == nullptr) {
      wildcard = &route;
    }
  }
  return wildcard;
}

}  // namespace gateway
