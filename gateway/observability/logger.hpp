// Structured logs: one line per event, a stable dotted event name and key=value fields,
// stamped with the seam's wall clock (so simulated logs show virtual time). Text by
// default, JSON lines with --log-format json. Where the lines go is the caller's choice
// (stderr in the real program, memory in simulation).
#pragma once

#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "gateway/config_enums.hpp"
#include "runtime/events.hpp"
#include "runtime/time.hpp"

namespace gateway {

// LogLevel and its names live with the configuration (log_level).
enum class LogFormat { text, json };

// Parses "debug", "info", "warn" or "error"; false if it is none of them.
bool parse_log_level(std::string_view text, LogLevel& level);

class Logger {
 public:
  using Sink = std::function<void(LogLevel level, std::string_view line)>;

  Logger(const runtime::Clock& clock, LogFormat format, LogLevel threshold, Sink sink);

  bool enabled(LogLevel level) const { return level >= threshold_; }
  void log(LogLevel level, std::string_view event, std::span<const runtime::Field> fields);

  void debug(std::string_view event, std::initializer_list<runtime::Field> fields) {
    log(LogLevel::debug, event, as_span(fields));
  }
  void info(std::string_view event, std::initializer_list<runtime::Field> fields) {
    log(LogLevel::info, event, as_span(fields));
  }
  void warn(std::string_view event, std::initializer_list<runtime::Field> fields) {
    log(LogLevel::warn, event, as_span(fields));
  }
  void error(std::string_view event, std::initializer_list<runtime::Field> fields) {
    log(LogLevel::error, event, as_span(fields));
  }

  // Formats a line without writing it (for tests and for the trace).
  std::string format(LogLevel level, std::string_view event,
                     std::span<const runtime::Field> fields) const;

 private:
  static std::span<const runtime::Field> as_span(std::initializer_list<runtime::Field> fields) {
    return {fields.begin(), fields.size()};
  }

  const runtime::Clock& clock_;
  LogFormat format_;
  LogLevel threshold_;
  Sink sink_;
};

// RFC 3339 UTC with milliseconds: 2026-01-01T00:00:00.000Z.
std::string format_utc(runtime::WallTime time);

}  // namespace gateway
