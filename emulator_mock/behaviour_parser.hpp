// Reading a behaviour from YAML text. Every fault found is reported, each naming the file,
// the line and the key at fault, so that a user can fix them all in one pass. The keys and
// their defaults are listed in docs/emulator.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator_mock/behaviour.hpp"

namespace emulator_mock {

struct BehaviourError {
  std::string file;      // as the caller named it
  int line = 0;          // 1-based
  std::string key_path;  // "rules[0].delay.model"; empty for a syntax error
  std::string message;

  // "FILE:LINE: KEY.PATH: message", or "FILE:LINE: message" without a key.
  std::string to_string() const;
};

struct BehaviourResult {
  std::optional<Behaviour> behaviour;  // set exactly when `errors` is empty
  std::vector<BehaviourError> errors;  // in the order of their lines

  explicit operator bool() const { return behaviour.has_value(); }
  // One error per line, each ending in a newline.
  std::string error_text() const;
};

// Parses a behaviour document. An empty document gives the default behaviour. `file_name`
// only names the document in errors; nothing is read from disk.
BehaviourResult parse_behaviour(std::string_view text, std::string_view file_name);

// "250ms", "30s", "10m", "2h", "5d" (and "0s"); nothing when malformed or too large.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// Bytes ("4096") or an integer with KiB, MiB or GiB; nothing when malformed or too large.
std::optional<std::uint64_t> parse_size_bytes(std::string_view text);

}  // namespace emulator_mock
