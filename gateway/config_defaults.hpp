// The numbers behind the gateway configuration: the default of every optional key, and the
// bounds a configured value must respect. docs/configuration.md explains each one; the
// static_asserts at the end keep the defaults consistent with one another.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "gateway/config_enums.hpp"

namespace gateway {

inline constexpr std::uint64_t kibibyte_bytes = 1024;
inline constexpr std::uint64_t mebibyte_bytes = 1024 * kibibyte_bytes;
inline constexpr std::uint64_t gibibyte_bytes = 1024 * mebibyte_bytes;

namespace config_defaults {

using namespace std::chrono_literals;

inline constexpr Mode mode = Mode::store_and_forward;
inline constexpr LogLevel log_level = LogLevel::info;

// Opportunistic TLS towards the internal server: encrypted whenever it offers STARTTLS,
// and mail still flows when it does not. Stricter policies are a per-route choice.
inline constexpr TlsPolicy route_tls = TlsPolicy::may;

// Inbound sessions. Operators are promised these counts and sizes as the defaults, so
// changing one changes a documented contract.
inline constexpr std::size_t max_connections = 200;
inline constexpr std::size_t max_messages_per_session = 0;  // 0 means unlimited
inline constexpr std::size_t max_recipients = 1000;
inline constexpr std::uint64_t max_message_size_bytes = 25 * mebibyte_bytes;
inline constexpr std::size_t max_line_length_bytes = 998;
inline constexpr std::size_t max_command_length_bytes = 512;
inline constexpr std::size_t max_header_fields = 1000;
inline constexpr std::uint64_t max_header_size_bytes = 1 * mebibyte_bytes;
inline constexpr std::size_t max_received_headers = 50;
inline constexpr std::size_t max_queue_messages = 10000;

// RFC 5321 4.5.3.2.7 asks a server to wait at least five minutes for the next command.
inline constexpr std::chrono::milliseconds command_timeout = 5min;

// The whole DATA phase, from the 354 reply to the final dot. Ten minutes matches the
// patience RFC 5321 4.5.3.2.6 asks of the client after the dot, and at 25 MiB it still
// admits a client that sends about 44 KB per second.
inline constexpr std::chrono::milliseconds data_timeout = 10min;

// Off: data_timeout already bounds how long one slow client can hold a connection slot,
// and a rate floor would also cut off legitimate senders on poor links.
inline constexpr std::uint64_t min_data_rate_bytes_per_second = 0;

// Outbound sessions. RFC 5321 4.5.3.2 sets no connect timeout; thirty seconds is long
// enough for any reachable next hop and short enough to move on to a retry.
inline constexpr std::chrono::milliseconds connect_timeout = 30s;
inline constexpr std::chrono::milliseconds greeting_timeout = 5min;          // RFC 5321 4.5.3.2.1
inline constexpr std::chrono::milliseconds delivery_command_timeout = 5min;  // 4.5.3.2.2-3
inline constexpr std::chrono::milliseconds data_start_timeout = 2min;        // 4.5.3.2.4
inline constexpr std::chrono::milliseconds data_block_timeout = 3min;        // 4.5.3.2.5
inline constexpr std::chrono::milliseconds data_end_timeout = 10min;         // 4.5.3.2.6

// Enough parallel sessions to keep up with a busy inbound side without letting a backlog
// flood the internal server after an outage.
inline constexpr std::size_t max_connections_per_hop = 20;

// Retries. The next hop is the organisation's own server, so the first retry comes soon
// after a restart of it; doubling then reaches, by the fourth wait, the interval of at
// least 30 minutes that RFC 5321 4.5.4.1 asks for, and the hour cap keeps mail for a
// recovered server from waiting long. Five days is the give-up time RFC 5321 4.5.4.1 suggests.
inline constexpr std::chrono::milliseconds min_backoff = 5min;
inline constexpr std::chrono::milliseconds max_backoff = 1h;
inline constexpr double backoff_factor = 2.0;
inline constexpr std::chrono::milliseconds max_lifetime = 5 * 24h;

// Emulation. A sandbox often needs minutes per file, so a message may wait ten of them; a
// poll every five seconds notices a verdict quickly at little cost to the service.
inline constexpr std::chrono::milliseconds max_delay = 10min;
inline constexpr std::chrono::milliseconds poll_interval = 5s;

// A gateway that exists to stop malware does not let an unjudged attachment through
// unless the operator says so.
inline constexpr FailMode fail_mode = FailMode::close;

// One query or upload. An upload of the largest message at about 450 KB per second still
// fits, and a hung request leaves most of max_delay for a retry.
inline constexpr std::chrono::milliseconds request_timeout = 1min;

// Requests in flight to the sandbox at once, so that a burst of mail does not become a
// burst of uploads that the service answers with NOT_ENOUGH_RESOURCES.
inline constexpr std::size_t max_concurrent_requests = 16;

// Fail-close replaces an unjudged attachment with a notice rather than holding the whole
// message, so that the rest of the mail still arrives.
inline constexpr bool quarantine_hold = false;

}  // namespace config_defaults

namespace config_bounds {

// RFC 5321 4.5.3.1.6 and 4.5.3.1.4: a server must accept text lines of 998 octets plus
// CRLF and command lines of 512 octets including CRLF. Lower limits would refuse
// compliant mail, so configuration may raise these limits but not lower them.
inline constexpr std::size_t min_line_length_bytes = 998;
inline constexpr std::size_t min_command_length_bytes = 512;

// A factor of 1 retries at a fixed interval; one above this reaches max_backoff after a
// single retry, which max_backoff alone already says more plainly.
inline constexpr double min_backoff_factor = 1.0;
inline constexpr double max_backoff_factor = 10.0;

// RFC 1035 2.3.4 limits a label to 63 octets; RFC 5321 4.5.3.1.2 a domain to 255.
inline constexpr std::size_t max_domain_label_length = 63;
inline constexpr std::size_t max_domain_length = 255;

// RFC 5321 4.5.3.1.1: a local part holds at most 64 octets.
inline constexpr std::size_t max_local_part_length = 64;

}  // namespace config_bounds

namespace config_defaults {

static_assert(max_line_length_bytes >= config_bounds::min_line_length_bytes);
static_assert(max_command_length_bytes >= config_bounds::min_command_length_bytes);
static_assert(max_header_size_bytes <= max_message_size_bytes);
static_assert(poll_interval <= max_delay);
static_assert(request_timeout <= max_delay);
static_assert(min_backoff <= max_backoff && max_backoff <= max_lifetime);
static_assert(backoff_factor >= config_bounds::min_backoff_factor &&
              backoff_factor <= config_bounds::max_backoff_factor);
static_assert(data_timeout >= command_timeout);

}  // namespace config_defaults

}  // namespace gateway
