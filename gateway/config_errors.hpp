// What a rejected configuration reports: every fault found, each naming the file, the line
// and the key at fault, so that an operator can fix them all in one pass.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <boost/assert/source_location.hpp>

namespace gateway {

struct ConfigError {
  std::string file;      // the configuration file's path as the caller gave it
  int line = 0;          // 1-based
  std::string key_path;  // "routes[0].tls"; empty when the fault has no key (bad syntax)
  std::string message;

  // "FILE:LINE: KEY.PATH: message", or "FILE:LINE: message" without a key.
  std::string to_string() const;

  friend bool operator==(const ConfigError&, const ConfigError&) = default;
};

class ConfigErrors {
 public:
  void add(ConfigError error) { errors_.push_back(std::move(error)); }

  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }
  const std::vector<ConfigError>& errors() const { return errors_; }

  // Orders the errors by line, keeping the order of errors on the same line, so that an
  // operator reads them top to bottom.
  void sort_by_line();

  // One error per line, each ending in a newline: what a program prints on stderr.
  std::string to_string() const;

 private:
  std::vector<ConfigError> errors_;
};

// Called by boost::system::result<Config, ConfigErrors>::value() on a failed result.
// Reading the value of a rejected configuration is a programming error; this throws
// std::invalid_argument with every message.
[[noreturn]] void throw_exception_from_error(const ConfigErrors& errors,
                                             const boost::source_location& location);

}  // namespace gateway
