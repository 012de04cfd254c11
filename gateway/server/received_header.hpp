// The trace field a relay adds to every message it takes (RFC 5321 4.4).
#pragma once

#include <string>
#include <string_view>

#include "gateway/spool/envelope.hpp"

namespace gateway {

// The whole field, folded, ending in CRLF:
//   Received: from HELO (ADDRESS)
//   	by HOSTNAME (mta-gateway) with ESMTPS (TLSv1.3 CIPHER) id QUEUE_ID
//   	for <RECIPIENT>; DATE
// "with" names the protocol as RFC 3848 registers it (SMTP, ESMTP, ESMTPS); "for" appears
// only with a single recipient, so that one copy does not disclose the others.
std::string received_header(const Envelope& envelope, bool extended, std::string_view hostname,
                            std::string_view queue_id);

}  // namespace gateway
