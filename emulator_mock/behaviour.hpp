// What the emulator does, as a configuration says it: which verdict each file gets, how
// long each emulation takes, how many run at once, and which faults it injects. Parsed
// from YAML by parse_behaviour() (behaviour_parser.hpp) and replaceable at run time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator_mock/delay.hpp"
#include "emulator_mock/fault.hpp"
#include "emulator_mock/status.hpp"

namespace emulator_mock {

// What a rule looks at. Every condition written must hold; a match with no condition
// matches every file.
struct Match {
  bool eicar = false;                   // the EICAR test string, plain or inside a zip
  std::vector<std::string> sha256;      // lower-case hex; any one of them
  std::vector<std::string> file_names;  // glob patterns (*, ?), case-insensitive; any one

  friend bool operator==(const Match&, const Match&) = default;
};

// One verdict rule. It gives either a verdict or a forced status code (never both).
struct Rule {
  std::string name;  // for events and counters; "rules[N]" when not written
  Match match;
  std::optional<Verdict> verdict;
  std::optional<StatusCode> status;
  std::optional<DelayModel> delay;  // nothing: the default delay
  std::optional<Fault> fault;       // injected into answers about the files it matches

  friend bool operator==(const Rule&, const Rule&) = default;
};

// The facts about one file that rules look at.
struct FileFacts {
  std::string_view sha256;     // lower-case hex
  std::string_view file_name;
  bool has_eicar = false;
};

struct Behaviour {
  // First match wins. Without a configuration: EICAR is malicious.
  std::vector<Rule> rules = default_rules();
  Verdict default_verdict = Verdict::benign;
  DelayModel default_delay = DelayModel::fixed_delay(std::chrono::milliseconds(0));
  // Emulations running at once; the rest wait for a slot. 0: no limit.
  std::size_t capacity = 0;
  // Files remembered at once; an upload beyond it answers NOT_ENOUGH_RESOURCES.
  std::size_t max_files = 100000;
  // The largest file an upload may carry; a larger upload gets HTTP 413.
  std::uint64_t max_file_bytes = 32 * 1024 * 1024;
  std::vector<Fault> faults;  // service-wide, checked in order; the first that fires wins

  static std::vector<Rule> default_rules();

  // The index of the first rule that matches, or nothing for the default.
  std::optional<std::size_t> match(const FileFacts& facts) const;
  // Whether any rule needs the file scanned for EICAR.
  bool needs_scan() const;

  friend bool operator==(const Behaviour&, const Behaviour&) = default;
};

// Shell-style glob: `*` any run of characters, `?` one character, ASCII case-insensitive.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace emulator_mock
