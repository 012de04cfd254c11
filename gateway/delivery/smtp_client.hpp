// The gateway's SMTP client (RFC 5321): one session that hands one message to one next
// hop for a group of its recipients.
//
// The session: connect, the 220 greeting, EHLO (HELO when EHLO gets a 5xx reply),
// STARTTLS as the hop's policy asks, MAIL FROM with SIZE= and BODY=8BITMIME when the next
// hop offers them and they apply, one RCPT TO per recipient, DATA with the content read
// from the spool in chunks and dot-stuffed on the way, the final reply, QUIT. With
// PIPELINING offered, MAIL, every RCPT and DATA go in one write and their replies are read
// in order (RFC 2920 3.1); otherwise each command waits for its reply.
//
// TLS policies (RFC 3207):
// - none: STARTTLS is never used.
// - may: STARTTLS when offered, without checking the certificate. Not offered, or refused
//   with a reply, the session goes on in plaintext. A failed handshake has already closed
//   the connection, so the session connects again and runs in plaintext without trying
//   STARTTLS: mail that could flow before the next hop broke its TLS still flows.
// - encrypt: STARTTLS must be offered and the handshake succeed; anything else ends the
//   session before MAIL, so nothing of the message crosses in plaintext.
// - verify: as encrypt, and the handshake checks the certificate chain against the
//   context's authorities and the name against the hop's tls_name.
// After a handshake the session forgets what it received before it and says EHLO again
// (RFC 3207 4.2).
//
// Deadlines come from the configuration's `delivery` section: connect_timeout for the
// connection, greeting_timeout for the 220, command_timeout for every command and its
// reply (the handshake included), data_start_timeout for the reply to DATA,
// data_block_timeout for each write of content, data_end_timeout for the reply to the
// final ".".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gateway/config.hpp"
#include "gateway/delivery/session_outcome.hpp"
#include "gateway/spool/envelope.hpp"
#include "gateway/spool/spool_reader.hpp"
#include "runtime/endpoint.hpp"
#include "runtime/host.hpp"
#include "runtime/tls.hpp"

namespace gateway {

// Where a session goes and how it protects itself.
struct NextHop {
  runtime::Endpoint address;
  TlsPolicy tls = TlsPolicy::none;
  // The name sent as SNI and, under verify, checked against the certificate.
  std::string tls_name;
  // Required unless tls is none: an encrypt-only context for may and encrypt, a verifying
  // one for verify. It must outlive the session.
  runtime::TlsContext* tls_context = nullptr;
};

// The envelope of the one transaction a session runs.
struct Transaction {
  std::string mail_from;                // without angle brackets; empty for the null reverse-path
  std::vector<std::string> recipients;  // without angle brackets; at least one
  BodyType body_type = BodyType::seven_bit;
  std::uint64_t content_size_bytes = 0;
};

struct ClientSettings {
  std::string helo_name;  // the gateway's hostname, said in EHLO and HELO
  Delivery timeouts;
};

// Runs one session. `content` is read from its current position to its end (rewound for
// a second connection); it and `hop` must outlive the session. Never throws; every failure
// is in the outcome, named by its stage.
boost::asio::awaitable<SessionOutcome> run_smtp_session(runtime::Host& host,
                                                        const ClientSettings& settings,
                                                        const NextHop& hop,
                                                        const Transaction& transaction,
                                                        SpoolReader& content);

}  // namespace gateway
