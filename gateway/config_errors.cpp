#include "gateway/config_errors.hpp"

#include <algorithm>
#include <stdexcept>

namespace gateway {

std::string ConfigError::to_string() const {
  std::string text = file + ":" + std::to_string(line) + ": ";
  if (!key_path.empty()) {
    text += key_path + ": ";
  }
  return text + message;
}

void ConfigErrors::sort_by_line() {
  std::stable_sort(errors_.begin(), errors_.end(),
                   [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
}

std::string ConfigErrors::to_string() const {
  std::string text;
  for (const auto& error : errors_) {
    text += error.to_string() + "\n";
  }
  return text;
}

void throw_exception_from_error(const ConfigErrors& errors, const boost::source_location&) {
  throw std::invalid_argument("invalid configuration:\n" + errors.to_string());
}

}  // namespace gateway
