// What the gateway writes into messages itself: the dates of its Received and Date fields
// (RFC 5322 3.3, always UTC), and the MIME boundaries and Message-IDs of the messages it
// makes (notifications, quarantine copies), drawn from a seeded generator so that a
// simulated run repeats them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "runtime/random.hpp"
#include "runtime/time.hpp"

namespace gateway::smtp {

// "Thu, 01 Jan 2026 00:00:00 +0000".
std::string format_message_date(runtime::WallTime time);

// "=_" and 24 characters of [0-9A-Za-z]. "=_" is neither base64 nor a quoted-printable
// escape, so encoded bodies never contain one; a caller still checks the text it encloses
// (RFC 2046 5.1.1) and draws again, at most this many times in all.
inline constexpr std::size_t boundary_draws_max = 8;
std::string draw_mime_boundary(runtime::Random& random);

// A Message-ID field's value: "<" 20 characters of [0-9A-Za-z] "@" hostname ">".
std::string draw_message_id(runtime::Random& random, std::string_view hostname);

}  // namespace gateway::smtp
