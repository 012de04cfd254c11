#include "gateway/observability/logger.hpp"

#include <chrono>
#include <cstdio>

namespace gateway {
namespace {

// A text value is written bare when it is a plain token, quoted otherwise, so that
// key=value pairs stay unambiguous to a reader and to a parser.
bool is_plain_token(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (unsigned char c : text) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) {
      return false;
    }
  }
  return true;
}

void append_text_fields(std::string& line, std::span<const runtime::Field> fields) {
  for (const auto& field : fields) {
    line += ' ';
    line += field.key;
    line += '=';
    if (auto* number = std::get_if<std::int64_t>(&field.value)) {
      line += std::to_string(*number);
    } else if (auto* text = std::get_if<std::string_view>(&field.value)) {
      if (is_plain_token(*text)) {
        line += *text;
      } else {
        runtime::append_json_string(line, *text);
      }
    } else {
      line += std::get<bool>(field.value) ? "true" : "false";
    }
  }
}

}  // namespace

bool parse_log_level(std::string_view text, LogLevel& level) {
  for (const auto& entry : log_level_names) {
    if (text == entry.name) {
      level = entry.value;
      return true;
    }
  }
  return false;
}

std::string format_utc(runtime::WallTime time) {
  using namespace std::chrono;
  const auto since_epoch = time.time_since_epoch();
  const auto day_count = floor<days>(since_epoch);
  const year_month_day date{sys_days{day_count}};
  const hh_mm_ss clock{floor<milliseconds>(since_epoch - day_count)};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long>(clock.hours().count()),
                static_cast<long>(clock.minutes().count()),
                static_cast<long>(clock.seconds().count()),
                static_cast<long>(clock.subseconds().count()));
  return text;
}

Logger::Logger(const runtime::Clock& clock, LogFormat format, LogLevel threshold, Sink sink)
    : clock_(clock), format_(format), threshold_(threshold), sink_(std::move(sink)) {}

void Logger::log(LogLevel level, std::string_view event, std::span<const runtime::Field> fields) {
  if (!enabled(level) || !sink_) {
    return;
  }
  sink_(level, format(level, event, fields));
}

std::string Logger::format(LogLevel level, std::string_view event,
                           std::span<const runtime::Field> fields) const {
  std::string line;
  const std::string time = format_utc(clock_.wall_now());
  if (format_ == LogFormat::json) {
    line += "{\"time\": \"" + time + "\", \"level\": \"";
    line += to_string(level);
    line += "\", \"event\": ";
    runtime::append_json_string(line, event);
    runtime::append_json_fields(line, fields);
    line += '}';
  } else {
    line += time;
    line += ' ';
    line += to_string(level);
    line += ' ';
    line += event;
    append_text_fields(line, fields);
  }
  return line;
}

}  // namespace gateway
