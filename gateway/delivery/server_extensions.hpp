// What a next hop announced in its reply to EHLO (RFC 5321 4.1.1.1), as the gateway's
// client needs it: the first line is the server's name, every further line one service
// extension keyword with optional parameters. A reply to HELO announces nothing.
#pragma once

#include <cstdint>
#include <optional>

#include "gateway/smtp/reply.hpp"

namespace gateway {

struct ServerExtensions {
  bool pipelining = false;             // RFC 2920
  bool starttls = false;               // RFC 3207
  bool eight_bit_mime = false;         // RFC 6152
  bool enhanced_status_codes = false;  // RFC 2034
  bool size = false;                   // RFC 1870
  // RFC 1870 4: the largest message the server takes; nothing when SIZE came without a
  // number or with 0, which both mean no fixed limit.
  std::optional<std::uint64_t> size_max_bytes;
};

// Reads the extensions from a 250 reply to EHLO. Keywords compare case-insensitively;
// unknown keywords and malformed parameters are ignored, so a server that announces
// something odd is treated as not offering it.
ServerExtensions parse_ehlo_reply(const smtp::Reply& reply);

}  // namespace gateway
