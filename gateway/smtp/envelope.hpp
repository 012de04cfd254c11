// The arguments of MAIL FROM and RCPT TO (RFC 5321 4.1.1.2, 4.1.1.3): a path and ESMTP
// parameters, each checked and turned into the reply the server sends when it is refused.
//
// Replies, by what is wrong:
// - 501 5.1.7 (MAIL) or 501 5.1.3 (RCPT) for a path that breaks the syntax, or is followed
//   by anything but a space;
// - 501 5.1.7 or 501 5.1.3 for a local part over 64 octets, a domain over 255 or a path over
//   256 (RFC 5321 4.5.3.1.9 gives "501 Path too long" as its example; 553 would claim the
//   mailbox name is not allowed, which says nothing about its length);
// - 553 5.6.7 for 8-bit bytes in the path (RFC 6531 3.6's reply to a non-ASCII address
//   without SMTPUTF8). SMTPUTF8 is not offered: delivery, inspection and notifications all
//   assume US-ASCII addresses, and a domain in UTF-8 could not be matched against the
//   accepted domains without IDNA, so such mail is refused rather than mishandled;
// - 501 5.5.4 for a parameter that breaks the ESMTP syntax, is repeated, or has a bad value;
// - 555 5.5.4 for a parameter this server does not offer (RFC 5321 4.1.1.11): SMTPUTF8,
//   AUTH, the DSN parameters, BODY=BINARYMIME, BODY=8BITMIME when 8BITMIME is off, and any
//   parameter at all on RCPT;
// - 552 5.3.4 for a SIZE above the message size limit (RFC 1870 6.1).
//
// TODO: SMTPUTF8 is not offered, so mail from or to internationalized addresses is refused
// at MAIL or RCPT; supporting it needs UTF-8 addresses through the spool, inspection,
// delivery and notifications, and IDNA-aware matching of the accepted domains.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "gateway/smtp/address.hpp"
#include "gateway/smtp/limits.hpp"
#include "gateway/smtp/parse_result.hpp"

namespace gateway::smtp {

// RFC 6152 2: the body type the client declares with BODY=.
enum class BodyType { unspecified, seven_bit, eight_bit_mime };

struct MailParameters {
  std::optional<std::uint64_t> declared_size_octets;  // RFC 1870 SIZE=
  BodyType body = BodyType::unspecified;

  friend bool operator==(const MailParameters&, const MailParameters&) = default;
};

struct MailFrom {
  Path reverse_path;
  MailParameters parameters;
};

struct RcptTo {
  Path forward_path;
};

struct EnvelopeOptions {
  // The SIZE advertised in the EHLO reply; a larger declared size is refused at MAIL.
  std::uint64_t message_octets_max = message_octets_default;

  // Whether 8BITMIME is advertised, which makes BODY=8BITMIME acceptable.
  bool eight_bit_mime = true;
};

// `argument` is Command::argument for MAIL: the text after "FROM:".
ParseResult<MailFrom> parse_mail_from(std::string_view argument, const EnvelopeOptions& options);

// `argument` is Command::argument for RCPT: the text after "TO:".
ParseResult<RcptTo> parse_rcpt_to(std::string_view argument);

}  // namespace gateway::smtp
