// Parses one SMTP command line, without its CRLF, into a verb and its arguments (RFC 5321
// 4.1). Verbs are case-insensitive (RFC 5321 2.4). The parser checks what every command line
// must satisfy and what each verb's argument shape is; the meaning of the arguments (paths,
// ESMTP parameters) is left to the parsers in envelope.hpp.
//
// Refusals, in the order they are checked:
// - 500 5.5.2 when the line is longer than the bound (RFC 5321 4.5.3.1.4, 4.5.3.1.9), holds a
//   NUL byte, or holds a CR or LF (a bare line ending: only CRLF ends a command line);
// - 500 5.5.2 when the verb is not a command at all, 502 5.5.1 when it is an SMTP command
//   this server does not implement (SEND, SOML, SAML, TURN, ETRN, ATRN, AUTH, BURL);
// - 501 5.5.4 when the arguments do not fit the verb: a missing or surplus argument, control
//   characters, or, outside MAIL and RCPT, 8-bit bytes. In MAIL and RCPT 8-bit bytes are
//   left for the address parser, which answers them as non-ASCII addresses.
//
// Tolerances, because widespread clients need them: more than one space or a tab between
// the verb and the argument, trailing spaces, and spaces after "FROM:" and "TO:" (RFC 5321
// 4.1.2 forbids them, but they carry no ambiguity).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/smtp/limits.hpp"
#include "gateway/smtp/reply.hpp"

namespace gateway::smtp {

enum class Verb {
  ehlo,
  helo,
  mail,
  rcpt,
  data,
  bdat,
  rset,
  noop,
  quit,
  vrfy,
  expn,
  help,
  starttls,
  unknown,
};

// The verb as sent on the wire in upper case, such as "EHLO"; "unknown" for Verb::unknown.
std::string_view verb_name(Verb verb);

// RFC 3030 2: "BDAT" SP chunk-size [SP "LAST"].
struct BdatArguments {
  std::uint64_t chunk_octets = 0;
  bool last = false;
};

struct Command {
  Verb verb = Verb::unknown;

  // MAIL: the text after "FROM:"; RCPT: the text after "TO:"; EHLO, HELO: the client's
  // name; VRFY, EXPN, HELP, NOOP: the rest of the line. Outer white space is removed.
  std::string argument;

  // Set for a well-formed BDAT only.
  std::optional<BdatArguments> bdat;
};

struct CommandLimits {
  // RFC 5321 4.5.3.1.4: a command line holds at most 512 octets, CRLF included.
  std::size_t line_octets_max = command_line_octets_default;
};

// The command as far as it could be read and, when it is refused, the reply to send. The
// verb is set even for refused commands, so sessions can count and log them by verb.
struct CommandParse {
  Command command;
  std::optional<Reply> refusal;

  bool ok() const { return !refusal.has_value(); }
};

CommandParse parse_command(std::string_view line, const CommandLimits& limits = {});

}  // namespace gateway::smtp
