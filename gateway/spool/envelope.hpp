// The SMTP envelope of one message, as the server accepted it: who sent it, to whom,
// from where and how. It travels with the message in its spool file and is what delivery
// and bounces are addressed by (RFC 5321 2.3.1: the envelope, not the header fields).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/time.hpp"

namespace gateway {

// The BODY parameter of MAIL FROM (RFC 6152): whether the content may hold 8-bit bytes.
enum class BodyType {
  seven_bit,
  eight_bit_mime,
};

// "7bit" or "8bitmime", the spelling used in the spool and in logs.
std::string_view body_type_name(BodyType type);
std::optional<BodyType> parse_body_type(std::string_view name);

// TODO: The DSN parameters of RFC 3461 (RET, ENVID, NOTIFY, ORCPT) are not kept, so a
// bounce cannot honour NOTIFY=NEVER or return the header section only.
struct Envelope {
  // The reverse path without angle brackets; empty for the null sender "<>" (RFC 5321
  // 4.5.5), which never receives a bounce.
  std::string mail_from;
  // The forward paths without angle brackets, in RCPT order; never empty once spooled.
  std::vector<std::string> recipients;
  // Where the client connected from ("203.0.113.5:41000") and what it said in HELO/EHLO.
  std::string client_address;
  std::string helo_name;
  // Whether the session ran under STARTTLS, and the protocol and cipher as text.
  bool tls = false;
  std::string tls_details;
  // The wall time the server started receiving the message; the queue lifetime counts
  // from here.
  runtime::WallTime received_time{};
  BodyType body_type = BodyType::seven_bit;
  // The SIZE parameter of MAIL FROM (RFC 1870), when the client declared one.
  std::optional<std::uint64_t> declared_size_bytes;

  bool null_sender() const { return mail_from.empty(); }

  friend bool operator==(const Envelope&, const Envelope&) = default;
};

}  // namespace gateway
