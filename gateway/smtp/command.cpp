#include "gateway/smtp/command.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <string>
#include <utility>

#include "gateway/smtp/ascii.hpp"
#include "gateway/smtp/replies.hpp"

namespace gateway::smtp {
namespace {

struct VerbSpelling {
  std::string_view name;
  Verb verb;
};

constexpr std::array verb_spellings{
    VerbSpelling{"EHLO", Verb::ehlo},         VerbSpelling{"HELO", Verb::helo},
    VerbSpelling{"MAIL", Verb::mail},         VerbSpelling{"RCPT", Verb::rcpt},
    VerbSpelling{"DATA", Verb::data},         VerbSpelling{"BDAT", Verb::bdat},
    VerbSpelling{"RSET", Verb::rset},         VerbSpelling{"NOOP", Verb::noop},
    VerbSpelling{"QUIT", Verb::quit},         VerbSpelling{"VRFY", Verb::vrfy},
    VerbSpelling{"EXPN", Verb::expn},         VerbSpelling{"HELP", Verb::help},
    VerbSpelling{"STARTTLS", Verb::starttls},
};

// SMTP commands this server recognizes but does not implement: SEND, SOML, SAML and TURN
// (RFC 821), ETRN (RFC 1985), ATRN (RFC 2645), AUTH (RFC 4954) and BURL (RFC 4468). RFC 5321
// 4.2.4 answers such a command with 502, and anything else that is no command with 500.
constexpr auto unimplemented_verbs = std::to_array<std::string_view>({
    "SEND",
    "SOML",
    "SAML",
    "TURN",
    "ETRN",
    "ATRN",
    "AUTH",
    "BURL",
});

Verb find_verb(std::string_view text) {
  for (const VerbSpelling& spelling : verb_spellings) {
    if (ascii::iequals(text, spelling.name)) {
      return spelling.verb;
    }
  }
  return Verb::unknown;
}

bool is_unimplemented_verb(std::string_view text) {
  return std::any_of(unimplemented_verbs.begin(), unimplemented_verbs.end(),
                     [text](std::string_view name) { return ascii::iequals(text, name); });
}

bool contains(std::string_view text, char c) {
  return text.find(c) != std::string_view::npos;
}

// Splits off the text before the first space or tab, and the white space after it.
std::string_view next_token(std::string_view& rest) {
  const auto end = std::find_if(rest.begin(), rest.end(), ascii::is_wsp);
  const std::string_view token(rest.data(), static_cast<std::size_t>(end - rest.begin()));
  rest = ascii::trim_wsp(rest.substr(token.size()));
  return token;
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return ascii::is_control(c) && c != ascii::horizontal_tab; });
}

// The checks for each verb's argument shape; they fill `parse` and set its refusal.
void parse_client_name(CommandParse& parse, std::string_view rest) {
  // RFC 5321 4.1.1.1: one domain or address literal. Its syntax is not checked further:
  // 4.1.4 forbids refusing a session over the name, and many clients send odd ones.
  std::string_view name = next_token(rest);
  if (name.empty() || !rest.empty() || ascii::has_eight_bit(name)) {
    parse.refusal = replies::bad_arguments("expected one domain or address literal");
    return;
  }
  parse.command.argument = name;
}

void parse_prefixed(CommandParse& parse, std::string_view rest, std::string_view prefix) {
  // RFC 5321 4.1.1.2 and 4.1.1.3: "FROM:" and "TO:" come first, case-insensitive.
  if (!ascii::istarts_with(rest, prefix)) {
    parse.refusal = replies::bad_arguments("expected " + std::string(prefix));
    return;
  }
  parse.command.argument = ascii::trim_wsp(rest.substr(prefix.size()));
}

void parse_no_argument(CommandParse& parse, std::string_view rest) {
  if (!rest.empty()) {
    parse.refusal = replies::bad_arguments("no arguments allowed");
  }
}

void parse_text_argument(CommandParse& parse, std::string_view rest, bool required) {
  if (ascii::has_eight_bit(rest)) {
    parse.refusal = replies::bad_arguments("8-bit bytes are not allowed");
    return;
  }
  if (required && rest.empty()) {
    parse.refusal = replies::bad_arguments("argument required");
    return;
  }
  parse.command.argument = rest;
}

void parse_bdat(CommandParse& parse, std::string_view rest) {
  // RFC 3030 2: a chunk size of one or more digits, then optionally the LAST marker. The
  // size is unbounded there; it must fit 64 bits here.
  const std::optional<std::uint64_t> chunk_octets = ascii::parse_decimal(next_token(rest));
  const std::string_view marker = next_token(rest);
  const bool marker_ok = marker.empty() || ascii::iequals(marker, "LAST");
  if (!chunk_octets || !marker_ok || !rest.empty()) {
    parse.refusal = replies::bad_arguments("expected BDAT chunk-size [LAST]");
    return;
  }
  parse.command.bdat = BdatArguments{*chunk_octets, !marker.empty()};
}

void parse_arguments(CommandParse& parse, std::string_view rest) {
  switch (parse.command.verb) {
    case Verb::ehlo:
    case Verb::helo:
      parse_client_name(parse, rest);
      return;
    case Verb::mail:
      parse_prefixed(parse, rest, "FROM:");
      return;
    case Verb::rcpt:
      parse_prefixed(parse, rest, "TO:");
      return;
    case Verb::bdat:
      parse_bdat(parse, rest);
      return;
    case Verb::vrfy:
    case Verb::expn:
      parse_text_argument(parse, rest, true);
      return;
    case Verb::noop:
    case Verb::help:
      parse_text_argument(parse, rest, false);
      return;
    // RFC 5321 4.1.1.4, 4.1.1.5, 4.1.1.10 and RFC 3207 4 take no arguments.
    case Verb::data:
    case Verb::rset:
    case Verb::quit:
    case Verb::starttls:
      parse_no_argument(parse, rest);
      return;
    case Verb::unknown:
      break;
  }
  assert(false && "unknown verbs are refused before their arguments are read");
}

}  // namespace

std::string_view verb_name(Verb verb) {
  for (const VerbSpelling& spelling : verb_spellings) {
    if (spelling.verb == verb) {
      return spelling.name;
    }
  }
  return "unknown";
}

CommandParse parse_command(std::string_view line, const CommandLimits& limits) {
  CommandParse parse;

  // Checks on the whole line, before any of it is interpreted.
  if (line.size() + ascii::crlf.size() > limits.line_octets_max) {
    parse.refusal = replies::line_too_long();
    return parse;
  }
  if (contains(line, ascii::nul)) {
    parse.refusal = replies::nul_in_command();
    return parse;
  }
  if (contains(line, ascii::cr) || contains(line, ascii::lf)) {
    parse.refusal = replies::bare_line_ending_in_command();
    return parse;
  }

  // The verb: a known command, a known but unimplemented one, or not a command.
  std::string_view rest = line;
  const std::string_view verb_text = next_token(rest);
  parse.command.verb = find_verb(verb_text);
  if (parse.command.verb == Verb::unknown) {
    parse.refusal = is_unimplemented_verb(verb_text) ? replies::not_implemented()
                                                     : replies::command_unrecognized();
    return parse;
  }

  // The arguments: no control characters for any verb, then the verb's own shape.
  if (has_control(rest)) {
    parse.refusal = replies::bad_arguments("control characters are not allowed");
    return parse;
  }
  parse_arguments(parse, rest);
  return parse;
}

}  // namespace gateway::smtp
