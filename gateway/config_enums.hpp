// The choices a gateway configuration offers, with the words that spell them in YAML. One
// table per choice serves both the parser and to_string(), so the two cannot drift apart.
#pragma once

#include <array>
#include <cassert>
#include <string_view>

namespace gateway {

// How the gateway answers the end of DATA.
enum class Mode {
  store_and_forward,  // "mta": spool the message, answer 250, inspect afterwards
  inline_inspection,  // "inline": inspect first, answer once the message goes on
};

// What happens to an attachment the sandbox could not judge.
enum class FailMode {
  open,   // deliver it unscanned, saying so in a header
  close,  // replace it with a notice, or hold the message when quarantine.hold is set
};

// How the gateway uses STARTTLS towards a route's next hop.
enum class TlsPolicy {
  none,     // never
  may,      // when offered, without checking the certificate; plaintext otherwise
  encrypt,  // always, without checking the certificate; defer when not offered
  verify,   // always, checking the certificate against ca_file and tls_name
};

// Ordered from the most verbose to the least: a logger writes the levels at or above its
// threshold.
enum class LogLevel { debug, info, warn, error };

template <typename Enum>
struct EnumName {
  std::string_view name;
  Enum value;
};

inline constexpr std::array<EnumName<Mode>, 2> mode_names{{
    {"mta", Mode::store_and_forward},
    {"inline", Mode::inline_inspection},
}};

inline constexpr std::array<EnumName<FailMode>, 2> fail_mode_names{{
    {"open", FailMode::open},
    {"close", FailMode::close},
}};

inline constexpr std::array<EnumName<TlsPolicy>, 4> tls_policy_names{{
    {"none", TlsPolicy::none},
    {"may", TlsPolicy::may},
    {"encrypt", TlsPolicy::encrypt},
    {"verify", TlsPolicy::verify},
}};

inline constexpr std::array<EnumName<LogLevel>, 4> log_level_names{{
    {"debug", LogLevel::debug},
    {"info", LogLevel::info},
    {"warn", LogLevel::warn},
    {"error", LogLevel::error},
}};

// The word for `value` in `names`. Every enumerator is in its table, so a miss is a bug.
template <typename Enum, std::size_t size>
constexpr std::string_view name_of(const std::array<EnumName<Enum>, size>& names, Enum value) {
  for (const auto& entry : names) {
    if (entry.value == value) {
      return entry.name;
    }
  }
  assert(false && "every enumerator has a name");
  return "?";
}

constexpr std::string_view to_string(Mode value) {
  return name_of(mode_names, value);
}
constexpr std::string_view to_string(FailMode value) {
  return name_of(fail_mode_names, value);
}
constexpr std::string_view to_string(TlsPolicy value) {
  return name_of(tls_policy_names, value);
}
constexpr std::string_view to_string(LogLevel value) {
  return name_of(log_level_names, value);
}

}  // namespace gateway
