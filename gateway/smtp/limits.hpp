// The default bounds of the SMTP server, as the design promises them to operators; each can
// be changed in the configuration's `limits` section, which fills the structures that take
// these defaults (CommandLimits, EnvelopeOptions, ContentLimits).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gateway::smtp {

inline constexpr std::uint64_t kibibyte = 1024;
inline constexpr std::uint64_t mebibyte = 1024 * kibibyte;

// RFC 5321 4.5.3.1.4: 512 octets per command line, CRLF included.
inline constexpr std::size_t command_line_octets_default = 512;

// RFC 5322 2.1.1 and RFC 5321 4.5.3.1.6: 998 octets per text line, CRLF not included.
inline constexpr std::size_t text_line_octets_default = 998;

inline constexpr std::uint64_t message_octets_default = 25 * mebibyte;
inline constexpr std::size_t header_fields_default = 1000;
inline constexpr std::uint64_t header_octets_default = 1 * mebibyte;

// More Received fields than this means the message is looping (RFC 5321 6.3).
inline constexpr std::size_t received_fields_default = 50;

// RFC 5321 4.5.3.1.8 asks for at least 100; the design promises 1,000.
inline constexpr std::size_t recipients_default = 1000;

static_assert(header_octets_default <= message_octets_default,
              "a header larger than the whole message could never be reached");

}  // namespace gateway::smtp
