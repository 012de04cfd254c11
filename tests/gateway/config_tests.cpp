// The gateway configuration: defaults, every key, the value rules, and errors that name
// the file, the line and the key.
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <boost/test/unit_test.hpp>

#include "gateway/config.hpp"
#include "gateway/config_values.hpp"
#include "gateway/config_yaml.hpp"

namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace values = gateway::config_values;
using gateway::Config;
using gateway::ConfigErrors;
using gateway::ConfigResult;

const std::string file_path = "/etc/gw/gw.yaml";

// The least a configuration must say. Lines: hostname 1, listen 2, accepted_domains 3,
// spool_dir 4, routes 5, the route 6 and 7.
const std::string minimal_yaml =
    "hostname: gw.example.net\n"
    "listen: 127.0.0.1:2525\n"
    "accepted_domains: [corp.example]\n"
    "spool_dir: ./spool\n"
    "routes:\n"
    "  - domain: corp.example\n"
    "    next_hop: 127.0.0.1:2526\n";
constexpr int minimal_lines = 7;

Config parse_valid(const std::string& yaml) {
  ConfigResult result = gateway::parse_config(yaml, file_path);
  BOOST_REQUIRE_MESSAGE(result.has_value(), "got errors:\n"
                                                << result.error().to_string() << "want none, for:\n"
                                                << yaml);
  return *result;
}

ConfigErrors parse_invalid(const std::string& yaml) {
  ConfigResult result = gateway::parse_config(yaml, file_path);
  BOOST_REQUIRE_MESSAGE(!result.has_value(), "got a valid configuration, want errors, for:\n"
                                                 << yaml);
  return result.error();
}

std::vector<std::string> messages_of(const ConfigErrors& errors) {
  std::vector<std::string> messages;
  for (const auto& error : errors.errors()) {
    messages.push_back(error.to_string());
  }
  return messages;
}

// Checks that `yaml` is refused with exactly the errors `want`, in that order.
void expect_errors(const std::string& yaml, const std::vector<std::string>& want) {
  auto got = messages_of(parse_invalid(yaml));
  std::string got_text;
  for (const auto& message : got) {
    got_text += "  " + message + "\n";
  }
  std::string want_text;
  for (const auto& message : want) {
    want_text += "  " + message + "\n";
  }
  BOOST_TEST(got == want, "got\n" << got_text << "want\n" << want_text << "for:\n" << yaml);
}

// The line after the minimal configuration, where a test's own text begins.
std::string line(int offset) {
  return std::to_string(minimal_lines + offset);
}

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(a_minimal_config_fills_every_default) {
  Config config = parse_valid(minimal_yaml);

  BOOST_TEST(config.hostname == "gw.example.net");
  BOOST_TEST(config.listen.to_string() == "127.0.0.1:2525");
  BOOST_TEST((config.mode == gateway::Mode::store_and_forward));
  BOOST_TEST(config.accepted_domains == std::vector<std::string>{"corp.example"});
  BOOST_TEST(config.spool_dir == "/etc/gw/spool");
  BOOST_TEST(!config.tls.has_value());
  BOOST_TEST(!config.emulation.has_value());
  BOOST_TEST(!config.metrics.has_value());
  BOOST_TEST((config.log_level == gateway::LogLevel::info));

  BOOST_REQUIRE_EQUAL(config.routes.size(), 1u);
  const auto& route = config.routes[0];
  BOOST_TEST(route.domain == "corp.example");
  BOOST_TEST(route.next_hop.to_string() == "127.0.0.1:2526");
  BOOST_TEST((route.tls == gateway::TlsPolicy::may));
  BOOST_TEST(!route.ca_file.has_value());
  BOOST_TEST(route.tls_name == "127.0.0.1");

  const auto& limits = config.limits;
  BOOST_TEST(limits.max_connections == 200u);
  BOOST_TEST(limits.max_messages_per_session == 0u);
  BOOST_TEST(limits.unlimited_messages_per_session());
  BOOST_TEST(limits.max_recipients == 1000u);
  BOOST_TEST(limits.max_message_size_bytes == 25u * 1024 * 1024);
  BOOST_TEST(limits.max_line_length_bytes == 998u);
  BOOST_TEST(limits.max_command_length_bytes == 512u);
  BOOST_TEST(limits.max_header_fields == 1000u);
  BOOST_TEST(limits.max_header_size_bytes == 1024u * 1024);
  BOOST_TEST(limits.max_received_headers == 50u);
  BOOST_TEST((limits.command_timeout == 5min));
  BOOST_TEST((limits.data_timeout == 10min));
  BOOST_TEST(limits.min_data_rate_bytes_per_second == 0u);
  BOOST_TEST(limits.max_queue_messages == 10000u);

  const auto& delivery = config.delivery;
  BOOST_TEST((delivery.connect_timeout == 30s));
  BOOST_TEST((delivery.greeting_timeout == 5min));
  BOOST_TEST((delivery.command_timeout == 5min));
  BOOST_TEST((delivery.data_start_timeout == 2min));
  BOOST_TEST((delivery.data_block_timeout == 3min));
  BOOST_TEST((delivery.data_end_timeout == 10min));
  BOOST_TEST(delivery.max_connections_per_hop == 20u);

  BOOST_TEST((config.retry.min_backoff == 5min));
  BOOST_TEST((config.retry.max_backoff == 1h));
  BOOST_TEST(config.retry.backoff_factor == 2.0);
  BOOST_TEST((config.retry.max_lifetime == 120h));

  BOOST_TEST(!config.quarantine.address.has_value());
  BOOST_TEST(!config.quarantine.hold);
}

BOOST_AUTO_TEST_CASE(an_emulation_section_with_only_a_url_fills_its_defaults) {
  Config config = parse_valid(minimal_yaml + "emulation:\n  url: http://127.0.0.1:18194\n");

  BOOST_REQUIRE(config.emulation.has_value());
  const auto& emulation = *config.emulation;
  BOOST_TEST(emulation.url == "http://127.0.0.1:18194");
  BOOST_TEST((emulation.max_delay == 10min));
  BOOST_TEST((emulation.poll_interval == 5s));
  BOOST_TEST((emulation.fail_mode == gateway::FailMode::close));
  BOOST_TEST(emulation.max_concurrent_requests == 16u);
  BOOST_TEST((emulation.request_timeout == 1min));
  BOOST_TEST(emulation.subject_tag.empty());
  BOOST_TEST(emulation.exempt_recipients.empty());
}

BOOST_AUTO_TEST_CASE(a_full_config_reads_every_key) {
  const std::string yaml = R"(hostname: GW.Example.NET
listen: "[::1]:2525"
mode: inline
accepted_domains: [corp.example, Sales.Corp.Example]
spool_dir: /var/spool/gw
log_level: debug
tls:
  certificate: gw.crt
  private_key: keys/gw.key
routes:
  - domain: corp.example
    next_hop: mail.corp.example:2526
    tls: verify
    ca_file: ca.pem
    tls_name: mx.corp.example
  - domain: "*"
    next_hop: 10.1.2.3:25
    tls: none
emulation:
  url: https://te.example/api/
  max_delay: 2h
  poll_interval: 250ms
  fail_mode: open
  max_concurrent_requests: 4
  request_timeout: 45s
  subject_tag: "[scanned]"
  exempt_recipients: [Abuse@Corp.Example]
metrics:
  listen: 127.0.0.1:9125
limits:
  max_connections: 7
  max_messages_per_session: 3
  max_recipients: 9
  max_message_size: 10MiB
  max_line_length: 2KiB
  max_command_length: 4096
  max_header_fields: 11
  max_header_size: 64KiB
  max_received_headers: 12
  command_timeout: 90s
  data_timeout: 20m
  min_data_rate: 1KiB
  max_queue_messages: 13
delivery:
  connect_timeout: 5s
  greeting_timeout: 1m
  command_timeout: 2m
  data_start_timeout: 3m
  data_block_timeout: 4m
  data_end_timeout: 15m
  max_connections_per_hop: 3
retry:
  min_backoff: 30s
  max_backoff: 2h
  backoff_factor: 1.5
  max_lifetime: 3d
quarantine:
  address: Quarantine@Corp.Example
  hold: true
)";
  Config config = parse_valid(yaml);

  BOOST_TEST(config.hostname == "gw.example.net");
  BOOST_TEST(config.listen.host == "::1");
  BOOST_TEST(config.listen.port == 2525);
  BOOST_TEST((config.mode == gateway::Mode::inline_inspection));
  BOOST_TEST(config.accepted_domains ==
             (std::vector<std::string>{"corp.example", "sales.corp.example"}));
  BOOST_TEST(config.spool_dir == "/var/spool/gw");
  BOOST_TEST((config.log_level == gateway::LogLevel::debug));
  BOOST_REQUIRE(config.tls.has_value());
  BOOST_TEST(config.tls->certificate_file == "/etc/gw/gw.crt");
  BOOST_TEST(config.tls->private_key_file == "/etc/gw/keys/gw.key");

  BOOST_REQUIRE_EQUAL(config.routes.size(), 2u);
  BOOST_TEST(config.routes[0].next_hop.to_string() == "mail.corp.example:2526");
  BOOST_TEST((config.routes[0].tls == gateway::TlsPolicy::verify));
  BOOST_TEST(config.routes[0].ca_file.value_or("") == "/etc/gw/ca.pem");
  BOOST_TEST(config.routes[0].tls_name == "mx.corp.example");
  BOOST_TEST(config.routes[1].domain == "*");
  BOOST_TEST((config.routes[1].tls == gateway::TlsPolicy::none));

  BOOST_REQUIRE(config.emulation.has_value());
  const auto& emulation = *config.emulation;
  BOOST_TEST(emulation.url == "https://te.example/api");
  BOOST_TEST((emulation.max_delay == 2h));
  BOOST_TEST((emulation.poll_interval == 250ms));
  BOOST_TEST((emulation.fail_mode == gateway::FailMode::open));
  BOOST_TEST(emulation.max_concurrent_requests == 4u);
  BOOST_TEST((emulation.request_timeout == 45s));
  BOOST_TEST(emulation.subject_tag == "[scanned]");
  BOOST_TEST(emulation.exempt_recipients == std::vector<std::string>{"abuse@corp.example"});
  BOOST_REQUIRE(config.metrics.has_value());
  BOOST_TEST(config.metrics->listen.to_string() == "127.0.0.1:9125");

  const auto& limits = config.limits;
  BOOST_TEST(limits.max_connections == 7u);
  BOOST_TEST(limits.max_messages_per_session == 3u);
  BOOST_TEST(limits.max_recipients == 9u);
  BOOST_TEST(limits.max_message_size_bytes == 10u * 1024 * 1024);
  BOOST_TEST(limits.max_line_length_bytes == 2048u);
  BOOST_TEST(limits.max_command_length_bytes == 4096u);
  BOOST_TEST(limits.max_header_fields == 11u);
  BOOST_TEST(limits.max_header_size_bytes == 64u * 1024);
  BOOST_TEST(limits.max_received_headers == 12u);
  BOOST_TEST((limits.command_timeout == 90s));
  BOOST_TEST((limits.data_timeout == 20min));
  BOOST_TEST(limits.min_data_rate_bytes_per_second == 1024u);
  BOOST_TEST(limits.max_queue_messages == 13u);

  const auto& delivery = config.delivery;
  BOOST_TEST((delivery.connect_timeout == 5s));
  BOOST_TEST((delivery.greeting_timeout == 1min));
  BOOST_TEST((delivery.command_timeout == 2min));
  BOOST_TEST((delivery.data_start_timeout == 3min));
  BOOST_TEST((delivery.data_block_timeout == 4min));
  BOOST_TEST((delivery.data_end_timeout == 15min));
  BOOST_TEST(delivery.max_connections_per_hop == 3u);

  BOOST_TEST((config.retry.min_backoff == 30s));
  BOOST_TEST((config.retry.max_backoff == 2h));
  BOOST_TEST(config.retry.backoff_factor == 1.5);
  BOOST_TEST((config.retry.max_lifetime == 72h));

  BOOST_TEST(config.quarantine.address.value_or("") == "Quarantine@corp.example");
  BOOST_TEST(config.quarantine.hold);
}

struct DurationCase {
  std::string text;
  std::optional<milliseconds> want;
};

BOOST_AUTO_TEST_CASE(durations_are_an_integer_and_a_unit) {
  const std::vector<DurationCase> cases{
      {"250ms", 250ms},
      {"30s", 30s},
      {"10m", 10min},
      {"2h", 2h},
      {"5d", 120h},
      {"0s", 0ms},
      {"30", std::nullopt},
      {"30 s", std::nullopt},
      {" 30s", std::nullopt},
      {"1.5h", std::nullopt},
      {"-5s", std::nullopt},
      {"+5s", std::nullopt},
      {"5S", std::nullopt},
      {"10min", std::nullopt},
      {"s", std::nullopt},
      {"", std::nullopt},
      {"999999999999d", std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = values::parse_duration(c.text);
    BOOST_TEST((got == c.want), "parse_duration(\""
                                    << c.text << "\"): got "
                                    << (got ? values::format_duration(*got) : "nothing") << " want "
                                    << (c.want ? values::format_duration(*c.want) : "nothing"));
  }
}

BOOST_AUTO_TEST_CASE(a_duration_in_the_file_is_read_with_its_unit) {
  Config config = parse_valid(minimal_yaml + "limits:\n  command_timeout: 250ms\n");
  BOOST_TEST((config.limits.command_timeout == 250ms));
}

struct SizeCase {
  std::string text;
  std::optional<std::uint64_t> want;
};

BOOST_AUTO_TEST_CASE(sizes_are_bytes_or_an_integer_with_a_binary_unit) {
  const std::vector<SizeCase> cases{
      {"4096", 4096},
      {"64KiB", 64 * 1024},
      {"25MiB", 25 * 1024 * 1024},
      {"1GiB", 1024 * 1024 * 1024},
      {"0", 0},
      {"25MB", std::nullopt},
      {"25 MiB", std::nullopt},
      {"25mib", std::nullopt},
      {"1.5MiB", std::nullopt},
      {"-1", std::nullopt},
      {"KiB", std::nullopt},
      {"18446744073709551616", std::nullopt},
      {"17179869184GiB", std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = values::parse_size_bytes(c.text);
    BOOST_TEST((got == c.want), "parse_size_bytes(\""
                                    << c.text << "\"): got "
                                    << (got ? std::to_string(*got) : "nothing") << " want "
                                    << (c.want ? std::to_string(*c.want) : "nothing"));
  }
}

BOOST_AUTO_TEST_CASE(durations_and_sizes_format_with_the_largest_exact_unit) {
  BOOST_TEST(values::format_duration(600000ms) == "10m");
  BOOST_TEST(values::format_duration(90s) == "90s");
  BOOST_TEST(values::format_duration(1500ms) == "1500ms");
  BOOST_TEST(values::format_duration(48h) == "2d");
  BOOST_TEST(values::format_size(25 * 1024 * 1024) == "25MiB");
  BOOST_TEST(values::format_size(1000) == "1000");
}

struct EndpointCase {
  std::string text;
  std::string want_host;  // empty: the value is refused
  std::uint16_t want_port = 0;
};

BOOST_AUTO_TEST_CASE(listen_and_next_hop_take_host_port_or_bracketed_v6) {
  const std::vector<EndpointCase> cases{
      {"127.0.0.1:25", "127.0.0.1", 25},
      {"\"[::1]:25\"", "::1", 25},
      {"mx.corp.example:2526", "mx.corp.example", 2526},
      {"::1:25", "", 0},
      {"127.0.0.1", "", 0},
      {"127.0.0.1:70000", "", 0},
      {"\"[::1]25\"", "", 0},
  };
  for (const auto& c : cases) {
    auto yaml = minimal_yaml + "metrics:\n  listen: " + c.text + "\n";
    ConfigResult result = gateway::parse_config(yaml, file_path);
    if (c.want_host.empty()) {
      BOOST_TEST(!result.has_value(), "listen " << c.text << ": got accepted, want refused");
      continue;
    }
    BOOST_TEST_REQUIRE(result.has_value(),
                       "listen " << c.text << ": got " << result.error().to_string());
    BOOST_TEST(result->metrics->listen.host == c.want_host);
    BOOST_TEST(result->metrics->listen.port == c.want_port);
  }
}

struct PathCase {
  std::string config_file;
  std::string path;
  std::string want;
};

BOOST_AUTO_TEST_CASE(relative_paths_are_relative_to_the_config_files_folder) {
  const std::vector<PathCase> cases{
      {"/etc/gw/gw.yaml", "./spool", "/etc/gw/spool"},
      {"/etc/gw/gw.yaml", "spool", "/etc/gw/spool"},
      {"/etc/gw/gw.yaml", "/var/spool/gw", "/var/spool/gw"},
      {"/etc/gw/gw.yaml", "../keys/gw.key", "/etc/gw/../keys/gw.key"},
      {"conf/gw.yaml", "././spool", "conf/spool"},
      {"gw.yaml", "./spool", "spool"},
      {"gw.yaml", ".", "."},
      {"conf/gw.yaml", ".", "conf/"},
  };
  for (const auto& c : cases) {
    auto got = values::resolve_path(c.config_file, c.path);
    BOOST_TEST(got == c.want, "resolve_path(\"" << c.config_file << "\", \"" << c.path
                                                << "\"): got " << got << " want " << c.want);
  }
}

BOOST_AUTO_TEST_CASE(every_path_key_is_resolved_against_the_config_file) {
  Config config = parse_valid(
      "hostname: gw.example.net\nlisten: 127.0.0.1:25\naccepted_domains: [corp.example]\n"
      "spool_dir: spool\ntls: {certificate: a.crt, private_key: /k/a.key}\n"
      "routes:\n  - {domain: corp.example, next_hop: 10.0.0.1:25, tls: verify, "
      "ca_file: ./ca/ca.pem}\n");
  BOOST_TEST(config.spool_dir == "/etc/gw/spool");
  BOOST_TEST(config.tls->certificate_file == "/etc/gw/a.crt");
  BOOST_TEST(config.tls->private_key_file == "/k/a.key");
  BOOST_TEST(config.routes[0].ca_file.value_or("") == "/etc/gw/ca/ca.pem");
}

struct EnumCase {
  std::string yaml;  // appended to the minimal configuration
  std::string want;  // the enumerator's name, read back through to_string()
};

BOOST_AUTO_TEST_CASE(every_enum_value_is_read_by_its_name) {
  auto route_with = [](const std::string& tls) {
    return "hostname: gw.example.net\nlisten: 127.0.0.1:25\naccepted_domains: [c.example]\n"
           "spool_dir: s\nroutes:\n  - {domain: c.example, next_hop: 10.0.0.1:25, tls: " +
           tls + (tls == "verify" ? ", ca_file: ca.pem}\n" : "}\n");
  };
  for (const std::string mode : {"mta", "inline"}) {
    auto config = parse_valid(minimal_yaml + "mode: " + mode + "\n");
    BOOST_TEST(gateway::to_string(config.mode) == mode);
  }
  for (const std::string level : {"debug", "info", "warn", "error"}) {
    auto config = parse_valid(minimal_yaml + "log_level: " + level + "\n");
    BOOST_TEST(gateway::to_string(config.log_level) == level);
  }
  for (const std::string fail_mode : {"open", "close"}) {
    auto config = parse_valid(minimal_yaml +
                              "emulation: {url: 'http://e:1', fail_mode: " + fail_mode + "}\n");
    BOOST_TEST(gateway::to_string(config.emulation->fail_mode) == fail_mode);
  }
  for (const std::string tls : {"none", "may", "encrypt", "verify"}) {
    auto config = parse_valid(route_with(tls));
    BOOST_TEST(gateway::to_string(config.routes[0].tls) == tls);
  }
}

BOOST_AUTO_TEST_CASE(an_unknown_enum_value_names_the_choices) {
  expect_errors(minimal_yaml + "mode: MTA\n", {"/etc/gw/gw.yaml:" + line(1) +
                                               ": mode: expected one of mta, inline, got \"MTA\""});
  std::string yaml = minimal_yaml;
  yaml.insert(yaml.find("    next_hop"), "    tls: maybe\n");
  expect_errors(yaml, {"/etc/gw/gw.yaml:7: routes[0].tls: expected one of none, may, "
                       "encrypt, verify, got \"maybe\""});
}

BOOST_AUTO_TEST_CASE(an_unknown_key_names_file_line_and_key) {
  expect_errors(
      minimal_yaml + "hostnme: gw\n",
      {"/etc/gw/gw.yaml:" + line(1) + ": hostnme: unknown key; did you mean \"hostname\"?"});
  expect_errors(minimal_yaml + "emulation:\n  url: http://e:1\n  max_dealy: 5m\n",
                {"/etc/gw/gw.yaml:" + line(3) +
                 ": emulation.max_dealy: unknown key; did you mean \"max_delay\"?"});
  expect_errors(minimal_yaml + "  - domain: b.example\n    next_hop: 1.2.3.4:25\n    via: x\n",
                {"/etc/gw/gw.yaml:" + line(3) + ": routes[1].via: unknown key"});
  expect_errors(minimal_yaml + "limits: {max_conections: 5}\n",
                {"/etc/gw/gw.yaml:" + line(1) +
                 ": limits.max_conections: unknown key; did you mean \"max_connections\"?"});
}

BOOST_AUTO_TEST_CASE(a_missing_required_key_is_named_with_its_section) {
  expect_errors(
      "listen: 127.0.0.1:25\naccepted_domains: [c.example]\nspool_dir: s\n"
      "routes: [{domain: c.example, next_hop: 10.0.0.1:25}]\n",
      {"/etc/gw/gw.yaml:1: hostname: required key is missing"});
  expect_errors(minimal_yaml + "tls:\n  certificate: a.crt\n",
                {"/etc/gw/gw.yaml:" + line(1) + ": tls.private_key: required key is missing"});
  expect_errors(minimal_yaml + "emulation: {max_delay: 5m}\n",
                {"/etc/gw/gw.yaml:" + line(1) + ": emulation.url: required key is missing"});
}

struct WrongTypeCase {
  std::string yaml;  // appended to the minimal configuration
  std::string want;  // the one error, after "FILE:"
};

BOOST_AUTO_TEST_CASE(a_value_of_the_wrong_type_says_what_was_expected_and_what_was_found) {
  const std::vector<WrongTypeCase> cases{
      {"limits: 5\n", line(1) + ": limits: expected a mapping of keys, got \"5\""},
      {"tls:\n", line(1) + ": tls: expected a mapping of keys, got an empty value"},
      {"log_level: [info]\n", line(1) + ": log_level: expected one of debug, info, warn, "
                                        "error, got a list"},
      {"limits: {max_connections: many}\n",
       line(1) + ": limits.max_connections: expected a whole number, got \"many\""},
      {"limits: {max_connections: -1}\n",
       line(1) + ": limits.max_connections: expected a whole number, got \"-1\""},
      {"limits: {command_timeout: 5}\n",
       line(1) + ": limits.command_timeout: expected a duration: an integer and a unit ms, "
                 "s, m, h or d (such as 30s), got \"5\""},
      {"limits: {max_message_size: 25MB}\n",
       line(1) + ": limits.max_message_size: expected a size: bytes, or an integer with KiB, "
                 "MiB or GiB (such as 25MiB), got \"25MB\""},
      {"quarantine: {hold: yes}\n",
       line(1) + ": quarantine.hold: expected true or false, got \"yes\""},
      {"quarantine: {address: nobody}\n",
       line(1) + ": quarantine.address: expected an address such as postmaster@corp.example, "
                 "got \"nobody\""},
      {"retry: {backoff_factor: inf}\n",
       line(1) + ": retry.backoff_factor: expected a number such as 2 or 1.5, got \"inf\""},
      {"emulation: {url: 'ftp://e'}\n",
       line(1) + ": emulation.url: expected an http:// or https:// URL without query or "
                 "fragment (such as http://127.0.0.1:18194), got \"ftp://e\""},
      {"metrics: {listen: {host: a}}\n",
       line(1) + ": metrics.listen: expected host:port or [v6]:port, got a mapping"},
      {"emulation: {url: 'http://e', exempt_recipients: a@b.example}\n",
       line(1) + ": emulation.exempt_recipients: expected a list, got \"a@b.example\""},
  };
  for (const auto& c : cases) {
    expect_errors(minimal_yaml + c.yaml, {file_path + ":" + c.want});
  }
}

BOOST_AUTO_TEST_CASE(top_level_values_of_the_wrong_shape_are_refused) {
  expect_errors(
      "hostname: 'gw example'\nlisten: 127.0.0.1\naccepted_domains: corp.example\n"
      "spool_dir: ''\nroutes: {domain: c}\n",
      {
          "/etc/gw/gw.yaml:1: hostname: expected a domain name such as corp.example, got "
          "\"gw example\"",
          "/etc/gw/gw.yaml:2: listen: expected host:port or [v6]:port, got \"127.0.0.1\"",
          "/etc/gw/gw.yaml:3: accepted_domains: expected a list, got \"corp.example\"",
          "/etc/gw/gw.yaml:4: spool_dir: expected a path, got an empty value",
          "/etc/gw/gw.yaml:5: routes: expected a list, got a mapping",
      });
}

struct BoundCase {
  std::string yaml;  // appended to the minimal configuration
  std::string want;  // the one error, after "FILE:LINE: "
};

BOOST_AUTO_TEST_CASE(values_outside_their_bounds_are_refused) {
  const std::vector<BoundCase> cases{
      {"limits: {max_line_length: 500}\n", "limits.max_line_length: must be at least 998, got 500"},
      {"limits: {max_command_length: 511}\n",
       "limits.max_command_length: must be at least 512, got 511"},
      {"limits: {max_connections: 0}\n", "limits.max_connections: must be at least 1, got 0"},
      {"limits: {max_message_size: 0}\n", "limits.max_message_size: must be at least 1, got 0"},
      {"limits: {command_timeout: 0s}\n", "limits.command_timeout: must be at least 1ms, got 0s"},
      {"delivery: {connect_timeout: 0ms}\n",
       "delivery.connect_timeout: must be at least 1ms, got 0ms"},
      {"retry: {backoff_factor: 0.5}\n", "retry.backoff_factor: must be from 1 to 10, got 0.5"},
      {"retry: {backoff_factor: 11}\n", "retry.backoff_factor: must be from 1 to 10, got 11"},
  };
  for (const auto& c : cases) {
    expect_errors(minimal_yaml + c.yaml, {file_path + ":" + line(1) + ": " + c.want});
  }
}

BOOST_AUTO_TEST_CASE(zero_means_unlimited_messages_per_session_and_no_rate_check) {
  Config config =
      parse_valid(minimal_yaml + "limits: {max_messages_per_session: 0, min_data_rate: 0}\n");
  BOOST_TEST(config.limits.unlimited_messages_per_session());
  BOOST_TEST(config.limits.min_data_rate_bytes_per_second == 0u);
}

BOOST_AUTO_TEST_CASE(a_yaml_syntax_error_names_its_line) {
  expect_errors("hostname: gw.example.net\nlisten: [127.0.0.1:25\nspool_dir: s\n",
                {"/etc/gw/gw.yaml:3: invalid YAML: end of sequence flow not found"});
  expect_errors("hostname: gw.example.net\n  listen: x\n",
                {"/etc/gw/gw.yaml:2: invalid YAML: illegal map value"});
}

BOOST_AUTO_TEST_CASE(an_empty_file_or_a_second_document_is_refused) {
  expect_errors("# nothing yet\n",
                {"/etc/gw/gw.yaml:1: the file holds no settings; hostname, listen, "
                 "accepted_domains, spool_dir and routes are required"});
  expect_errors(minimal_yaml + "---\nhostname: other\n",
                {"/etc/gw/gw.yaml:" + line(2) +
                 ": a second YAML document begins here; a configuration is one document"});
}

BOOST_AUTO_TEST_CASE(a_key_written_twice_is_refused) {
  expect_errors(minimal_yaml + "hostname: other.example\n",
                {"/etc/gw/gw.yaml:" + line(1) +
                 ": hostname: written twice; the first is on "
                 "line 1"});
}

BOOST_AUTO_TEST_CASE(every_error_is_reported_in_line_order) {
  auto errors = parse_invalid(
      "hostname: gw.example.net\nlisten: nowhere\naccepted_domains: [c.example]\n"
      "spool_dir: s\nroutes: [{domain: c.example, next_hop: 10.0.0.1:25}]\n"
      "limits: {max_recipients: 0, bogus: 1}\nmode: relay\n");
  auto got = messages_of(errors);
  BOOST_REQUIRE_EQUAL(got.size(), 4u);
  BOOST_TEST(got[0].starts_with("/etc/gw/gw.yaml:2: listen: "));
  BOOST_TEST(got[1].starts_with("/etc/gw/gw.yaml:6: limits.max_recipients: "));
  BOOST_TEST(got[2].starts_with("/etc/gw/gw.yaml:6: limits.bogus: unknown key"));
  BOOST_TEST(got[3].starts_with("/etc/gw/gw.yaml:7: mode: "));
}

BOOST_AUTO_TEST_CASE(domains_are_folded_to_lower_case_and_match_case_insensitively) {
  Config config = parse_valid(
      "hostname: GW.Example.Net\nlisten: 127.0.0.1:25\naccepted_domains: [Corp.EXAMPLE]\n"
      "spool_dir: s\nroutes:\n  - {domain: CORP.example, next_hop: 10.0.0.1:25}\n"
      "  - {domain: '*', next_hop: 10.0.0.2:25}\n"
      "quarantine: {address: Q.Box@Corp.Example}\n"
      "emulation: {url: 'HTTP://e:1', exempt_recipients: [CEO@Corp.Example]}\n");
  BOOST_TEST(config.hostname == "gw.example.net");
  BOOST_TEST(config.accepted_domains == std::vector<std::string>{"corp.example"});
  BOOST_TEST(config.routes[0].domain == "corp.example");
  BOOST_TEST(gateway::accepts_domain(config, "cOrP.eXaMpLe"));
  BOOST_TEST(!gateway::accepts_domain(config, "corp.example.evil"));
  BOOST_TEST(gateway::find_route(config, "Corp.Example") == &config.routes[0]);
  BOOST_TEST(gateway::find_route(config, "other.example") == &config.routes[1]);
  // The local part of an address the gateway sends to keeps its case (RFC 5321 2.4).
  BOOST_TEST(config.quarantine.address.value_or("") == "Q.Box@corp.example");
  BOOST_TEST(config.emulation->exempt_recipients == std::vector<std::string>{"ceo@corp.example"});
  BOOST_TEST(config.emulation->url == "http://e:1");
}

BOOST_AUTO_TEST_CASE(without_a_wildcard_route_an_unrouted_domain_has_no_route) {
  Config config = parse_valid(minimal_yaml);
  BOOST_TEST(gateway::find_route(config, "other.example") == nullptr);
}

struct CheckCase {
  std::string yaml;
  std::string want;  // the one error, after "FILE:"
};

BOOST_AUTO_TEST_CASE(settings_that_contradict_each_other_are_refused) {
  const std::string head =
      "hostname: gw.example.net\nlisten: 127.0.0.1:25\naccepted_domains: [c.example]\n"
      "spool_dir: s\nroutes:\n";
  const std::vector<CheckCase> cases{
      {head + "  - {domain: c.example, next_hop: 10.0.0.1:25, tls: verify}\n",
       "6: routes[0].ca_file: required when tls is verify: next hops are checked only "
       "against the trust anchors named here, never against a system-wide store"},
      {head + "  - domain: c.example\n    next_hop: 10.0.0.1:25\n    ca_file: ca.pem\n",
       "8: routes[0].ca_file: only used when tls is verify, but tls is may"},
      {head + "  - {domain: c.example, next_hop: 10.0.0.1:25, tls: encrypt, tls_name: mx}\n",
       "6: routes[0].tls_name: only used when tls is verify, but tls is encrypt"},
      {head + "  - {domain: b.example, next_hop: 10.0.0.1:25}\n",
       "3: accepted_domains[0]: no route delivers mail for c.example; add a route for it or a "
       "\"*\" route"},
      {head + "  - {domain: c.example, next_hop: 10.0.0.1:25}\n"
              "  - {domain: C.Example, next_hop: 10.0.0.2:25}\n",
       "7: routes[1].domain: c.example already has a route, routes[0]"},
      {head + "  - {domain: c.example, next_hop: 10.0.0.1:25}\n"
              "emulation: {url: 'http://e:1', max_delay: 1m, poll_interval: 2m}\n",
       "7: emulation.poll_interval: poll_interval (2m) must not be longer than max_delay (1m)"},
      {head + "  - {domain: c.example, next_hop: 10.0.0.1:25}\n"
              "emulation:\n  url: http://e:1\n  max_delay: 1s\n",
       "9: emulation.max_delay: poll_interval (5s) must not be longer than max_delay (1s)"},
      {head + "  - {domain: c.example, next_hop: 10.0.0.1:25}\nretry: {min_backoff: 2h}\n",
       "7: retry.min_backoff: max_backoff (1h) must not be shorter than min_backoff (2h)"},
      {head + "  - {domain: c.example, next_hop: 10.0.0.1:25}\nmetrics: {listen: 127.0.0.1:25}\n",
       "7: metrics.listen: must differ from listen (127.0.0.1:25): one address cannot serve "
       "both SMTP and metrics"},
      {head + "  - {domain: c.example, next_hop: 10.0.0.1:25}\n"
              "emulation: {url: 'http://e:1', ca_file: ca.pem}\n",
       "7: emulation.ca_file: only used with an https:// url"},
      {head + "  - {domain: c.example, next_hop: 10.0.0.1:25}\n"
              "quarantine: {address: q@c.example}\n",
       "7: quarantine.address: only used with an emulation section: without inspection no "
       "attachment is removed and no copy is made"},
      {head + "  - {domain: c.example, next_hop: 10.0.0.1:25}\n"
              "emulation: {url: 'http://e:1'}\nquarantine: {address: q@Vault.Example}\n",
       "8: quarantine.address: no route delivers mail for vault.example; add a route for it "
       "or a \"*\" route"},
      {head + "  []\n", "5: routes: must list at least one route"},
      {"hostname: gw.example.net\nlisten: 127.0.0.1:25\naccepted_domains: []\nspool_dir: s\n"
       "routes: [{domain: '*', next_hop: 10.0.0.1:25}]\n",
       "3: accepted_domains: must list at least one entry"},
      {"hostname: gw.example.net\nlisten: 127.0.0.1:25\naccepted_domains: ['*']\nspool_dir: s\n"
       "routes: [{domain: '*', next_hop: 10.0.0.1:25}]\n",
       "3: accepted_domains[0]: \"*\" is not allowed here: the gateway would accept mail for "
       "every domain and relay it, which makes an open relay"},
      {"hostname: gw.example.net\nlisten: 127.0.0.1:25\naccepted_domains: [c.example, "
       "C.example]\nspool_dir: s\nroutes: [{domain: '*', next_hop: 10.0.0.1:25}]\n",
       "3: accepted_domains[1]: c.example is listed twice; the first is accepted_domains[0]"},
  };
  for (const auto& c : cases) {
    expect_errors(c.yaml, {file_path + ":" + c.want});
  }
}

BOOST_AUTO_TEST_CASE(the_emulation_ca_file_is_a_path_beside_the_config) {
  Config config = parse_valid(
      "hostname: gw.example.net\nlisten: 127.0.0.1:25\naccepted_domains: [c.example]\n"
      "spool_dir: s\nroutes: [{domain: c.example, next_hop: 10.0.0.1:25}]\n"
      "emulation: {url: 'https://te.example:443', ca_file: tls/te-ca.pem}\n");
  BOOST_TEST(config.emulation->ca_file.value_or("") == "/etc/gw/tls/te-ca.pem");
}

BOOST_AUTO_TEST_CASE(inline_mode_without_emulation_and_encrypted_routes_without_tls_are_fine) {
  Config config = parse_valid(
      "hostname: gw.example.net\nlisten: 127.0.0.1:25\nmode: inline\n"
      "accepted_domains: [c.example]\nspool_dir: s\n"
      "routes: [{domain: c.example, next_hop: 10.0.0.1:25, tls: encrypt}]\n");
  BOOST_TEST((config.mode == gateway::Mode::inline_inspection));
  BOOST_TEST(!config.emulation.has_value());
  BOOST_TEST(!config.tls.has_value());
  BOOST_TEST(config.routes[0].tls_name == "10.0.0.1");
}

BOOST_AUTO_TEST_CASE(an_embedded_config_names_the_outer_documents_lines_and_keys) {
  YAML::Node scenario = YAML::Load("name: demo\nworld:\n  gateway:\n" +
                                   std::string("    hostname: gw.example.net\n") +
                                   "    listen: 127.0.0.1:25\n    mode: batch\n");
  ConfigResult result =
      gateway::parse_config_node(scenario["world"]["gateway"], "s/demo.yaml", "world.gateway");
  BOOST_REQUIRE(!result.has_value());
  auto got = messages_of(result.error());
  const std::vector<std::string> want{
      "s/demo.yaml:4: world.gateway.accepted_domains: required key is missing",
      "s/demo.yaml:4: world.gateway.spool_dir: required key is missing",
      "s/demo.yaml:4: world.gateway.routes: required key is missing",
      "s/demo.yaml:6: world.gateway.mode: expected one of mta, inline, got \"batch\"",
  };
  BOOST_TEST(got == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reading_the_value_of_a_refused_config_throws_with_every_message) {
  ConfigResult result = gateway::parse_config("hostname: [x]\n", "gw.yaml");
  BOOST_CHECK_EXCEPTION(
      static_cast<void>(result.value()), std::invalid_argument, [](const auto& error) {
        return std::string(error.what()).find("gw.yaml:1: hostname: expected") != std::string::npos;
      });
}

BOOST_AUTO_TEST_CASE(an_error_without_a_key_leaves_the_key_out) {
  gateway::ConfigError with_key{"gw.yaml", 12, "routes[0].tls", "bad"};
  gateway::ConfigError without_key{"gw.yaml", 3, "", "invalid YAML: bad"};
  BOOST_TEST(with_key.to_string() == "gw.yaml:12: routes[0].tls: bad");
  BOOST_TEST(without_key.to_string() == "gw.yaml:3: invalid YAML: bad");
}

BOOST_AUTO_TEST_CASE(the_documented_example_parses) {
  // The example lives in docs/examples/ at the repository root, three folders above this
  // file; tests may read files, the library may not.
  std::string source = __FILE__;
  std::string root = source.substr(0, source.rfind("/tests/gateway/"));
  std::string example_path = root + "/docs/examples/gateway.yaml";
  std::ifstream file(example_path);
  BOOST_REQUIRE_MESSAGE(file.good(), "cannot open " << example_path);
  std::stringstream text;
  text << file.rdbuf();

  ConfigResult result = gateway::parse_config(text.str(), example_path);
  BOOST_REQUIRE_MESSAGE(result.has_value(), "got errors:\n" << result.error().to_string());
  BOOST_TEST(result->routes.size() == 3u);
  BOOST_TEST(result->spool_dir == root + "/docs/examples/spool");
  BOOST_TEST(result->emulation.has_value());
  BOOST_TEST(result->metrics.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
