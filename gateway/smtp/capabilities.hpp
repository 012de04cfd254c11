// The EHLO reply (RFC 5321 4.1.1.1): the server's name on the first line, then one service
// extension keyword per line, as the options say the server offers them.
//
// SMTPUTF8 is never offered (see envelope.hpp for why), nor BINARYMIME, DSN or AUTH.
// STARTTLS is offered only while the session is still in plaintext: RFC 3207 4.2 forbids
// announcing it after the TLS handshake.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/smtp/limits.hpp"
#include "gateway/smtp/reply.hpp"

namespace gateway::smtp {

struct CapabilityOptions {
  std::string hostname;

  // RFC 1870 2: SIZE with the largest message accepted, in octets.
  std::uint64_t message_octets_max = message_octets_default;

  bool pipelining = true;             // RFC 2920
  bool eight_bit_mime = true;         // RFC 6152
  bool enhanced_status_codes = true;  // RFC 2034
  bool chunking = true;               // RFC 3030

  // STARTTLS is configured (the `tls` section is present) and not yet active.
  bool starttls_offered = false;
  bool tls_active = false;
};

// The keywords, one per line, in the order they are announced.
std::vector<std::string> capability_keywords(const CapabilityOptions& options);

// The whole 250 reply to EHLO; it carries no enhanced status code (RFC 2034 3).
Reply ehlo_reply(const CapabilityOptions& options);

}  // namespace gateway::smtp
