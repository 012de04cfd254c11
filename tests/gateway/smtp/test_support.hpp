// Helpers for the SMTP tests: readable protocol bytes in messages (CR, LF, tab and other
// control or 8-bit bytes as escapes, so a failing case names its input unambiguously),
// printers for compared values, and string building.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>

#include "gateway/smtp/command.hpp"
#include "gateway/smtp/content_scanner.hpp"
#include "gateway/smtp/line_reader.hpp"
#include "gateway/smtp/relay_policy.hpp"
#include "gateway/smtp/reply.hpp"
#include "gateway/smtp/reply_parser.hpp"

namespace gateway::smtp {
namespace testing {

inline std::string escaped(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    const auto value = static_cast<unsigned char>(c);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (value < ' ' || value >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", value);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

// Joins pieces into one string. Tests build long inputs this way rather than with chains
// of operator+ on temporaries, which draw a false overlap warning (-Wrestrict) when
// optimised.
inline std::string concat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (std::string_view piece : pieces) {
    out += piece;
  }
  return out;
}

}  // namespace testing

// Printers for the values tests compare, found by argument-dependent lookup.
inline std::ostream& operator<<(std::ostream& out, const Reply& reply) {
  out << reply.code << " [" << reply.enhanced << "]";
  for (const std::string& line : reply.lines) {
    out << " |" << testing::escaped(line);
  }
  return out;
}

inline std::ostream& operator<<(std::ostream& out, ContentFault fault) {
  return out << fault_name(fault);
}

inline std::ostream& operator<<(std::ostream& out, ReplyFault fault) {
  return out << fault_name(fault);
}

inline std::ostream& operator<<(std::ostream& out, ReplyStatus status) {
  switch (status) {
    case ReplyStatus::incomplete:
      return out << "incomplete";
    case ReplyStatus::complete:
      return out << "complete";
    case ReplyStatus::malformed:
      return out << "malformed";
  }
  return out << "?";
}

inline std::ostream& operator<<(std::ostream& out, LineStatus status) {
  switch (status) {
    case LineStatus::incomplete:
      return out << "incomplete";
    case LineStatus::line:
      return out << "line";
    case LineStatus::too_long:
      return out << "too_long";
  }
  return out << "?";
}

inline std::ostream& operator<<(std::ostream& out, Verb verb) {
  return out << verb_name(verb);
}

inline std::ostream& operator<<(std::ostream& out, RelayDecision decision) {
  return out << decision_name(decision);
}

}  // namespace gateway::smtp
