// Character classes and case-insensitive comparison for the SMTP protocol, which is
// defined over US-ASCII (RFC 5321 2.4). Every helper takes a plain char and treats bytes at
// or above 0x80 as "not ASCII", never as letters, whatever the locale says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace gateway::smtp::ascii {

inline constexpr char cr = '\r';
inline constexpr char lf = '\n';
inline constexpr char nul = '\0';
inline constexpr char horizontal_tab = '\t';
inline constexpr char delete_char = '\x7f';
inline constexpr std::string_view crlf = "\r\n";

// The first byte value outside US-ASCII; the "8-bit" bytes of RFC 6152 start here.
inline constexpr unsigned eight_bit_first = 0x80;

constexpr bool is_eight_bit(char c) {
  return static_cast<unsigned char>(c) >= eight_bit_first;
}

constexpr bool has_eight_bit(std::string_view text) {
  for (char c : text) {
    if (is_eight_bit(c)) {
      return true;
    }
  }
  return false;
}

constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

constexpr bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}

constexpr bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// White space inside a line (RFC 5234 WSP): space or horizontal tab.
constexpr bool is_wsp(char c) {
  return c == ' ' || c == horizontal_tab;
}

// A control character: 0x00 to 0x1F and DEL. Tab is one; callers that allow it say so.
constexpr bool is_control(char c) {
  return !is_eight_bit(c) && (static_cast<unsigned char>(c) < ' ' || c == delete_char);
}

// Printable US-ASCII without space (RFC 5234 VCHAR).
constexpr bool is_visible(char c) {
  return c > ' ' && c < delete_char;
}

constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// The whole text with ASCII capitals folded; every other byte as it was.
inline std::string to_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    c = to_lower(c);
  }
  return lower;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) {
      return false;
    }
  }
  return true;
}

constexpr bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

// Removes leading and trailing spaces and tabs.
constexpr std::string_view trim_wsp(std::string_view text) {
  while (!text.empty() && is_wsp(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_wsp(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

// Reads an unsigned decimal number of one or more digits that fits 64 bits (at most 20
// digits, leading zeros included); nothing for anything else, overflow included.
constexpr std::optional<std::uint64_t> parse_decimal(std::string_view digits) {
  constexpr std::size_t digits_max = std::numeric_limits<std::uint64_t>::digits10 + 1;
  constexpr std::uint64_t base = 10;
  if (digits.empty() || digits.size() > digits_max) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (char c : digits) {
    if (!is_digit(c)) {
      return std::nullopt;
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / base) {
      return std::nullopt;
    }
    value = value * base + digit;
  }
  return value;
}

}  // namespace gateway::smtp::ascii
