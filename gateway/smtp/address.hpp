// Mailboxes and paths as SMTP carries them in MAIL FROM and RCPT TO (RFC 5321 4.1.2):
//
//   Path       = "<" [ A-d-l ":" ] Mailbox ">"      A-d-l = "@" Domain *( "," "@" Domain )
//   Mailbox    = Local-part "@" ( Domain / address-literal )
//   Local-part = Dot-string / Quoted-string
//
// plus the null reverse-path "<>" (4.1.1.2) and the domainless "<Postmaster>" (4.1.1.3).
// The parser only reads syntax and lengths; what is acceptable (relaying, tricks) is decided
// by relay_policy.hpp.
//
// Non-ASCII bytes are refused: this server does not offer SMTPUTF8 (RFC 6531), so an address
// can only be US-ASCII. Lengths follow RFC 5321 4.5.3.1: local part 64 octets, domain 255,
// path 256 counting its angle brackets (the wire form, quotes and backslashes included).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::smtp {

inline constexpr std::size_t local_part_octets_max = 64;
inline constexpr std::size_t domain_octets_max = 255;
inline constexpr std::size_t path_octets_max = 256;

// RFC 1035 2.3.4: a label of a domain name holds at most 63 octets.
inline constexpr std::size_t domain_label_octets_max = 63;

struct Mailbox {
  // The local part as sent: a dot-string, or a quoted string with its quotes and escapes.
  std::string local_part;

  // The local part's value: for a quoted string, its content without quotes and escaping
  // backslashes; for a dot-string, the same as local_part.
  std::string local_part_value;
  bool local_part_quoted = false;

  // A domain name, or an address literal with its brackets such as "[192.0.2.1]". Empty
  // only for the domainless "<Postmaster>".
  std::string domain;
  bool domain_is_literal = false;

  // local_part "@" domain, as it goes on the wire ("Postmaster" alone when domainless).
  std::string address() const;

  friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

enum class PathRole {
  reverse,  // MAIL FROM: may be "<>"
  forward,  // RCPT TO: may be "<Postmaster>"
};

struct Path {
  // The null reverse-path "<>", used for notifications (RFC 5321 4.5.5).
  bool null = false;

  // The domains of a source route ("<@a,@b:user@c>" gives a, b), in order. RFC 5321 4.1.1.3
  // and appendix C make them obsolete; they are kept so that policy can see them.
  std::vector<std::string> source_route;

  Mailbox mailbox;

  // The reserved, case-insensitive "<Postmaster>" without a domain (RFC 5321 4.1.1.3).
  bool is_domainless_postmaster() const { return !null && mailbox.domain.empty(); }

  friend bool operator==(const Path&, const Path&) = default;
};

enum class PathFault {
  none,
  syntax,     // not a path of the role's grammar
  too_long,   // a local part, domain or path over its RFC 5321 4.5.3.1 bound
  non_ascii,  // an 8-bit byte inside the path
};

struct PathParse {
  Path path;
  std::size_t consumed_octets = 0;  // the path's length on the wire, brackets included
  PathFault fault = PathFault::none;
};

// Parses the path at the start of `text`, which must begin with "<". Text after the ">" is
// not consumed: it holds the ESMTP parameters.
PathParse parse_path(std::string_view text, PathRole role);

// Whether `text` is a domain name by RFC 5321 4.1.2: letter-digit-hyphen labels, each
// starting and ending with a letter or digit, at most 63 octets, separated by single dots.
bool is_domain_name(std::string_view text);

// Whether `text` is an address literal by RFC 5321 4.1.3, brackets included: an IPv4
// dotted quad, or "IPv6:" and an IPv6 address. General literals ("tag:content") are refused:
// no tag other than IPv6 has ever been registered, so none can be valid.
bool is_address_literal(std::string_view text);

}  // namespace gateway::smtp
