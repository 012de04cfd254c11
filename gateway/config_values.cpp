#include "gateway/config_values.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "gateway/config_defaults.hpp"
#include "gateway/smtp/ascii.hpp"

namespace gateway::config_values {
namespace {

using std::chrono::milliseconds;

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

constexpr std::uint64_t second_ms = 1000;
constexpr std::uint64_t minute_ms = 60 * second_ms;
constexpr std::uint64_t hour_ms = 60 * minute_ms;
constexpr std::uint64_t day_ms = 24 * hour_ms;

// Largest first, so that format_duration() picks the coarsest unit that divides.
constexpr std::array<Unit, 5> duration_units{{
    {"d", day_ms},
    {"h", hour_ms},
    {"m", minute_ms},
    {"s", second_ms},
    {"ms", 1},
}};

constexpr std::array<Unit, 3> size_units{{
    {"GiB", gibibyte_bytes},
    {"MiB", mebibyte_bytes},
    {"KiB", kibibyte_bytes},
}};

// Every configured duration must fit the steady clock's duration, which the gateway's
// timers use; nanosecond ticks in 64 bits reach about 292 years.
constexpr auto max_duration_ms = static_cast<std::uint64_t>(
    std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::duration::max()).count());

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Splits "30s" into its leading digits and the rest.
std::pair<std::string_view, std::string_view> split_number(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && is_digit(text[end])) {
    ++end;
  }
  return {text.substr(0, end), text.substr(end)};
}

std::optional<std::uint64_t> multiply(std::uint64_t value, std::uint64_t factor,
                                      std::uint64_t limit) {
  if (factor != 0 && value > limit / factor) {
    return std::nullopt;
  }
  return value * factor;
}

bool is_domain_label(std::string_view label) {
  if (label.empty() || label.size() > config_bounds::max_domain_label_length) {
    return false;
  }
  if (label.front() == '-' || label.back() == '-') {
    return false;
  }
  for (char c : label) {
    if (!is_letter(c) && !is_digit(c) && c != '-') {
      return false;
    }
  }
  return true;
}

// RFC 5322 3.2.3: the characters an atom may hold besides letters and digits.
bool is_atom_text(char c) {
  constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
  return is_letter(c) || is_digit(c) || specials.find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') {
    return false;
  }
  char previous = '\0';
  for (char c : text) {
    if (c == '.' ? previous == '.' : !is_atom_text(c)) {
      return false;
    }
    previous = c;
  }
  return true;
}

}  // namespace

std::optional<milliseconds> parse_duration(std::string_view text) {
  auto [digits, suffix] = split_number(text);
  auto count = parse_count(digits);
  if (!count) {
    return std::nullopt;
  }
  for (const auto& unit : duration_units) {
    if (suffix == unit.suffix) {
      auto total_ms = multiply(*count, unit.factor, max_duration_ms);
      if (!total_ms) {
        return std::nullopt;
      }
      return milliseconds(static_cast<milliseconds::rep>(*total_ms));
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_size_bytes(std::string_view text) {
  auto [digits, suffix] = split_number(text);
  auto count = parse_count(digits);
  if (!count) {
    return std::nullopt;
  }
  if (suffix.empty()) {
    return count;
  }
  for (const auto& unit : size_units) {
    if (suffix == unit.suffix) {
      return multiply(*count, unit.factor, std::numeric_limits<std::uint64_t>::max());
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
  if (text.empty() || !is_digit(text.front())) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> parse_decimal(std::string_view text) {
  // Only digits and one inner dot: from_chars alone would also take "inf", "nan", signs
  // and exponents, none of which a configuration needs.
  auto [whole, rest] = split_number(text);
  if (whole.empty()) {
    return std::nullopt;
  }
  if (!rest.empty()) {
    auto [fraction, tail] = split_number(rest.substr(1));
    if (rest.front() != '.' || fraction.empty() || !tail.empty()) {
      return std::nullopt;
    }
  }
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool is_domain_name(std::string_view text) {
  if (text.empty() || text.size() > config_bounds::max_domain_length) {
    return false;
  }
  std::size_t start = 0;
  while (true) {
    auto dot = text.find('.', start);
    if (!is_domain_label(text.substr(start, dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

std::optional<std::string> normalize_address(std::string_view text) {
  auto at = text.rfind('@');
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  auto local = text.substr(0, at);
  auto domain = text.substr(at + 1);
  if (local.size() > config_bounds::max_local_part_length || !is_dot_atom(local) ||
      !is_domain_name(domain)) {
    return std::nullopt;
  }
  return std::string(local) + "@" + to_lower(domain);
}

std::optional<std::string> normalize_base_url(std::string_view text) {
  constexpr std::array<std::string_view, 2> schemes{"http://", "https://"};
  for (auto scheme : schemes) {
    if (text.size() <= scheme.size() || to_lower(text.substr(0, scheme.size())) != scheme) {
      continue;
    }
    auto rest = text.substr(scheme.size());
    if (rest.front() == '/' || rest.find_first_of(" \t?#") != std::string_view::npos) {
      return std::nullopt;
    }
    while (rest.ends_with('/')) {
      rest.remove_suffix(1);
    }
    return std::string(scheme) + std::string(rest);
  }
  return std::nullopt;
}

std::string to_lower(std::string_view text) {
  return smtp::ascii::to_lower(text);
}

std::string resolve_path(std::string_view config_file_path, std::string_view path) {
  if (path.starts_with('/')) {
    return std::string(path);
  }
  while (path.starts_with("./")) {
    path.remove_prefix(2);
  }
  auto slash = config_file_path.rfind('/');
  auto folder =
      slash == std::string_view::npos ? std::string_view{} : config_file_path.substr(0, slash + 1);
  if (path.empty() || path == ".") {
    return folder.empty() ? std::string(".") : std::string(folder);
  }
  return std::string(folder) + std::string(path);
}

std::string format_duration(milliseconds value) {
  auto count = static_cast<std::uint64_t>(value.count());
  for (const auto& unit : duration_units) {
    if (count != 0 && count % unit.factor == 0) {
      return std::to_string(count / unit.factor) + std::string(unit.suffix);
    }
  }
  return std::to_string(count) + "ms";
}

std::string format_size(std::uint64_t bytes) {
  for (const auto& unit : size_units) {
    if (bytes != 0 && bytes % unit.factor == 0) {
      return std::to_string(bytes / unit.factor) + std::string(unit.suffix);
    }
  }
  return std::to_string(bytes);
}

}  // namespace gateway::config_values
