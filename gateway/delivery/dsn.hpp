// Delivery status notifications (RFC 3464): the message that tells a sender which of its
// recipients bounced and why. It is a multipart/report (RFC 6522) of three parts: a note
// for people, a message/delivery-status part with one group of fields per bounced
// recipient, and the original message's header section as text/rfc822-headers.
//
// The notification goes from the null reverse-path (RFC 5321 4.5.5) to the original
// sender, so that a notification that cannot be delivered is never answered by another
// one; for the same reason none is built for a message that itself came from the null
// sender. Its MIME boundary and Message-ID come from the seeded generator passed in, so a
// simulated run repeats them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/spool/envelope.hpp"
#include "gateway/spool/spool_reader.hpp"
#include "runtime/random.hpp"
#include "runtime/time.hpp"

namespace gateway {

// Notifications carry at most this much of the original header section, cut after the
// last whole line that fits: enough for every header a person looks at, and a bound on
// what a bounce can carry back.
inline constexpr std::size_t returned_header_octets_max = 64 * 1024;

struct BouncedRecipient {
  std::string address;
  // The reply or reason kept for it: "550 5.1.1 no such user", or a local failure such
  // as "4.4.1 connect with 10.0.0.2:25: Connection refused".
  std::string reply;
};

struct DsnRequest {
  std::string reporting_mta;                 // the gateway's hostname
  Envelope original;                         // the bounced message's envelope
  std::string original_queue_id;             // named in the note, for the postmaster
  std::vector<BouncedRecipient> recipients;  // at least one
  // The original header section, each field ending in CRLF, without the empty line after it.
  std::string original_headers;
  runtime::WallTime now;
};

struct Dsn {
  Envelope envelope;    // from "<>" to the original sender
  std::string content;  // the whole message, lines ending in CRLF
};

// The notification; nothing when the original came from the null sender.
std::optional<Dsn> build_dsn(const DsnRequest& request, runtime::Random& random);

// The RFC 3463 status for a kept reply: its enhanced status code when it has one (after
// the reply code, or leading a local failure's text), else the reply code's class with
// ".0.0", else "5.0.0".
std::string dsn_status(std::string_view reply);

// Reads the header section from the start of `content`: every field up to the empty line
// (or the whole content when it has none), at most returned_header_octets_max octets, cut
// after a whole line. Errors: the spool's (EIO, corrupt_record).
runtime::Result<std::string> read_header_section(SpoolReader& content);

}  // namespace gateway
