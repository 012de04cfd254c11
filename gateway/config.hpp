// The gateway configuration: what an operator wrote in the YAML file, checked and with
// every default filled in. docs/configuration.md is the reference for each key; this file
// names where each one lands. Durations are milliseconds (the finest unit the file can
// spell), sizes are bytes, domains are in lower case, and paths are already resolved
// against the configuration file's folder.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "gateway/config_defaults.hpp"
#include "gateway/config_enums.hpp"
#include "gateway/config_errors.hpp"
#include "runtime/endpoint.hpp"

namespace gateway {

// `tls`: the certificate offered with STARTTLS. Absent: STARTTLS is not offered.
struct InboundTls {
  std::string certificate_file;
  std::string private_key_file;
};

// One entry of `routes`: where mail for a recipient domain goes next.
struct Route {
  std::string domain;  // lower case, or "*" for every domain without a route of its own
  runtime::Endpoint next_hop;
  TlsPolicy tls = config_defaults::route_tls;
  std::optional<std::string> ca_file;  // set exactly when tls is verify
  std::string tls_name;                // the name verify checks: next_hop's host unless set
};

// `limits`: bounds on what one client, one message and the queue may take.
struct Limits {
  std::size_t max_connections = config_defaults::max_connections;
  std::size_t max_messages_per_session = config_defaults::max_messages_per_session;
  std::size_t max_recipients = config_defaults::max_recipients;
  std::uint64_t max_message_size_bytes = config_defaults::max_message_size_bytes;
  // A text line without its CRLF, and a command line with its CRLF, as RFC 5321 4.5.3.1
  // counts them.
  std::size_t max_line_length_bytes = config_defaults::max_line_length_bytes;
  std::size_t max_command_length_bytes = config_defaults::max_command_length_bytes;
  std::size_t max_header_fields = config_defaults::max_header_fields;
  std::uint64_t max_header_size_bytes = config_defaults::max_header_size_bytes;
  std::size_t max_received_headers = config_defaults::max_received_headers;
  std::chrono::milliseconds command_timeout = config_defaults::command_timeout;
  std::chrono::milliseconds data_timeout = config_defaults::data_timeout;
  // The average rate DATA must keep once it has lasted command_timeout; 0: not checked.
  std::uint64_t min_data_rate_bytes_per_second = config_defaults::min_data_rate_bytes_per_second;
  std::size_t max_queue_messages = config_defaults::max_queue_messages;

  bool unlimited_messages_per_session() const { return max_messages_per_session == 0; }
};

// `delivery`: the gateway's own SMTP client towards next hops (RFC 5321 4.5.3.2).
struct Delivery {
  std::chrono::milliseconds connect_timeout = config_defaults::connect_timeout;
  std::chrono::milliseconds greeting_timeout = config_defaults::greeting_timeout;
  std::chrono::milliseconds command_timeout = config_defaults::delivery_command_timeout;
  std::chrono::milliseconds data_start_timeout = config_defaults::data_start_timeout;
  std::chrono::milliseconds data_block_timeout = config_defaults::data_block_timeout;
  std::chrono::milliseconds data_end_timeout = config_defaults::data_end_timeout;
  std::size_t max_connections_per_hop = config_defaults::max_connections_per_hop;
};

// `retry`: when a deferred message is tried again, and when it bounces instead.
struct Retry {
  std::chrono::milliseconds min_backoff = config_defaults::min_backoff;
  std::chrono::milliseconds max_backoff = config_defaults::max_backoff;
  double backoff_factor = config_defaults::backoff_factor;
  std::chrono::milliseconds max_lifetime = config_defaults::max_lifetime;
};

// `emulation`: the sandbox. Absent: attachments are not inspected.
struct Emulation {
  std::string url;  // base URL without a trailing slash; API paths are appended to it
  // For an https:// url: the trust anchors the service's certificate must chain to, for
  // the url's host. Absent: the connection is encrypted but the service is not checked.
  std::optional<std::string> ca_file;
  std::chrono::milliseconds max_delay = config_defaults::max_delay;
  std::chrono::milliseconds poll_interval = config_defaults::poll_interval;
  FailMode fail_mode = config_defaults::fail_mode;
  std::size_t max_concurrent_requests = config_defaults::max_concurrent_requests;
  std::chrono::milliseconds request_timeout = config_defaults::request_timeout;
  std::string subject_tag;                     // empty: the Subject is never changed
  std::vector<std::string> exempt_recipients;  // lower-case addresses never inspected
};

// `quarantine`: what happens to the original of a changed message.
struct Quarantine {
  // Receives a copy of the message as it arrived, before any change; domain in lower case.
  std::optional<std::string> address;
  // Fail-close holds the whole message in the spool instead of replacing the attachment.
  bool hold = config_defaults::quarantine_hold;
};

// `metrics`: the Prometheus text endpoint. Absent: no metrics are served.
struct Metrics {
  runtime::Endpoint listen;
};

struct Config {
  std::string hostname;  // lower case
  runtime::Endpoint listen;
  Mode mode = config_defaults::mode;
  std::vector<std::string> accepted_domains;  // lower case, never "*"
  std::string spool_dir;
  std::optional<InboundTls> tls;
  std::vector<Route> routes;  // in file order, at least one
  std::optional<Emulation> emulation;
  std::optional<Metrics> metrics;
  Limits limits;
  Delivery delivery;
  Retry retry;
  Quarantine quarantine;
  LogLevel log_level = config_defaults::log_level;
};

using ConfigResult = boost::system::result<Config, ConfigErrors>;

// Parses and checks a configuration. `yaml_text` is the file's contents, which the caller
// has read; `file_path` names the file in errors and anchors relative paths. Never throws:
// YAML syntax errors, unknown keys, wrong types, values out of range and inconsistent
// settings all come back as ConfigErrors, every one found, in line order.
ConfigResult parse_config(std::string_view yaml_text, const std::string& file_path);

// Whether mail for `domain` is accepted (RFC 5321 2.4: domains compare case-insensitively).
bool accepts_domain(const Config& config, std::string_view domain);

// The route for `domain`: the one naming it, else the "*" route, else none.
const Route* find_route(const Config& config, std::string_view domain);

}  // namespace gateway
