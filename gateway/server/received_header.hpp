// The trace field a relay adds to every message it takes (RFC 5321 4.4), and the date
// format it uses (RFC 5322 3.3).
#pragma once

#include <string>
#include <string_view>

#include "gateway/spool/envelope.hpp"
#include "runtime/time.hpp"

namespace gateway {

// "Thu, 01 Jan 2026 00:00:00 +0000".
std::string format_rfc5322_date(runtime::WallTime time);

// The whole field, folded, ending in CRLF:
//   Received: from HELO (ADDRESS)
//   	by HOSTNAME (mta-gateway) with ESMTPS (TLSv1.3 CIPHER) id QUEUE_ID
//   	for <RECIPIENT>; DATE
// "with" names the protocol as RFC 3848 registers it (SMTP, ESMTP, ESMTPS); "for" appears
// only with a single recipient, so that one copy does not disclose the others.
std::string received_header(const Envelope& envelope, bool extended, std::string_view hostname,
                            std::string_view queue_id);

}  // namespace gateway
