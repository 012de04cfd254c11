// A simulated world for the delivery tests: a gateway node ("gw", 10.0.0.1) holding a spool
// and a GatewayDeliverer, and an internal mail server node ("mx", 10.0.0.2) running an
// SmtpSink on port 25. Links have no latency and unlimited bandwidth unless a test says
// otherwise, so a session costs no virtual time and every elapsed time a test sees is made
// of the timeouts and delays it set up.
#pragma once

#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "gateway/config.hpp"
#include "gateway/delivery/gateway_deliverer.hpp"
#include "gateway/delivery/route_tls.hpp"
#include "gateway/spool/spool.hpp"
#include "runtime/certificates.hpp"
#include "runtime/tls.hpp"
#include "sim/network.hpp"
#include "sim/peers/smtp_sink.hpp"
#include "sim/world.hpp"
#include "tests/gateway/spool/spool_fixture.hpp"

namespace gateway {

// Printers for the values the delivery tests compare, found by argument-dependent lookup.
inline std::ostream& operator<<(std::ostream& out, DeliveryResult result) {
  switch (result) {
    case DeliveryResult::delivered:
      return out << "delivered";
    case DeliveryResult::deferred:
      return out << "deferred";
    case DeliveryResult::bounced:
      return out << "bounced";
  }
  return out << "?";
}

}  // namespace gateway

namespace delivery_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using gateway::DeliveryResult;
using gateway::TlsPolicy;
using sim::SimTime;

inline const std::string gateway_address = "10.0.0.1";
inline const std::string sink_address = "10.0.0.2";
inline const std::string second_sink_address = "10.0.0.3";
constexpr std::uint16_t smtp_port = 25;
inline const std::string sink_hop = "10.0.0.2:25";
inline const std::string ca_path = "/etc/mta/corp-ca.pem";
inline const std::string sink_tls_name = "mx.corp.example";

// Timeouts that differ from one another, so that a test can tell which one fired.
constexpr std::chrono::milliseconds connect_timeout = 11s;
constexpr std::chrono::milliseconds greeting_timeout = 13s;
constexpr std::chrono::milliseconds command_timeout = 17s;
constexpr std::chrono::milliseconds data_start_timeout = 19s;
constexpr std::chrono::milliseconds data_block_timeout = 23s;
constexpr std::chrono::milliseconds data_end_timeout = 29s;

// Virtual times as milliseconds, which Boost.Test can print.
inline std::int64_t ms(SimTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time).count();
}

inline std::shared_ptr<void> idle_process(runtime::Host&) {
  return nullptr;
}

inline gateway::Route make_route(std::string domain, std::string address, TlsPolicy tls) {
  gateway::Route route;
  route.domain = std::move(domain);
  route.next_hop = runtime::Endpoint{address, smtp_port};
  route.tls = tls;
  route.tls_name = address;
  if (tls == TlsPolicy::verify) {
    route.ca_file = ca_path;
    route.tls_name = sink_tls_name;
  }
  return route;
}

inline gateway::Config make_config(TlsPolicy tls = TlsPolicy::none) {
  gateway::Config config;
  config.hostname = "gw.example.net";
  config.accepted_domains = {"corp.example"};
  config.routes = {make_route("*", sink_address, tls)};
  config.delivery.connect_timeout = connect_timeout;
  config.delivery.greeting_timeout = greeting_timeout;
  config.delivery.command_timeout = command_timeout;
  config.delivery.data_start_timeout = data_start_timeout;
  config.delivery.data_block_timeout = data_block_timeout;
  config.delivery.data_end_timeout = data_end_timeout;
  return config;
}

// A certificate authority and the sink's certificate for mx.corp.example, valid for a
// window around the world's start.
struct Pki {
  runtime::Credentials authority;
  runtime::Credentials server;
};

inline runtime::CertificateOptions certificate_request(std::string name, runtime::WallTime from,
                                                       runtime::WallTime until) {
  runtime::CertificateOptions options;
  options.common_name = name;
  options.dns_names = {std::move(name)};
  options.not_before = from;
  options.not_after = until;
  return options;
}

inline Pki make_pki(runtime::WallTime from, runtime::WallTime until) {
  Pki pki;
  pki.authority = runtime::make_certificate_authority(
                      certificate_request("Corp Test Root", from - 24h * 365, until + 24h * 365))
                      .value();
  pki.server =
      runtime::issue_certificate(pki.authority, certificate_request(sink_tls_name, from, until))
          .value();
  return pki;
}

inline std::shared_ptr<runtime::TlsContext> server_context(const runtime::Credentials& identity) {
  return std::make_shared<runtime::TlsContext>(
      runtime::TlsContext::server(identity.chain_pem, identity.private_key_pem).value());
}

// One finished delivery attempt.
struct Delivered {
  gateway::DeliveryOutcome outcome;
  SimTime elapsed{};

  // The outcome of the recipient at `index` of the message; fails the test without one.
  const gateway::RecipientOutcome& recipient(std::size_t index) const {
    for (const auto& entry : outcome.recipients) {
      if (entry.recipient_index == index) {
        return entry;
      }
    }
    BOOST_FAIL("no outcome for recipient " << index);
    return outcome.recipients.front();
  }
};

struct DeliveryWorld {
  DeliveryWorld() {
    world.trace().keep_lines(true);
    world.network().set_default_link(sim::LinkSpec{.latency = SimTime::zero()});
    gateway.boot(idle_process);
    spool.emplace(gateway, spool_test::spool_folder);
    BOOST_TEST_REQUIRE(!spool->prepare());
  }

  // Boots a sink with the default options.
  void start_sink() {
    const peers::SmtpSinkOptions defaults;
    start_sink(defaults);
  }

  // Boots the sink on `node` with `options`; what it receives lands in `record`.
  void start_sink(peers::SmtpSinkOptions options, sim::Node* node = nullptr) {
    if (!options.record) {
      options.record = record;
    }
    (node != nullptr ? *node : mx).boot([options](runtime::Host& host) {
      auto sink = std::make_shared<peers::SmtpSink>(host, options);
      BOOST_TEST_REQUIRE(!sink->start());
      return std::shared_ptr<void>(sink);
    });
  }

  // Builds the deliverer from `config` as it stands, reading CA files from `ca_files`.
  gateway::GatewayDeliverer& make_deliverer() {
    auto read_ca = [this](const std::string& path) -> runtime::Result<std::string> {
      auto found = ca_files.find(path);
      if (found == ca_files.end()) {
        return runtime::error_code(ENOENT, boost::system::system_category());
      }
      return found->second;
    };
    auto tls = gateway::RouteTls::build(config, read_ca);
    BOOST_TEST_REQUIRE(tls.has_value());
    deliverer.emplace(gateway, config, *spool, std::move(*tls), &metrics);
    return *deliverer;
  }

  gateway::Envelope envelope(std::vector<std::string> recipients,
                             std::string sender = "alice@source.example") {
    gateway::Envelope e = spool_test::sample_envelope();
    e.mail_from = std::move(sender);
    e.recipients = std::move(recipients);
    e.received_time = gateway.clock().wall_now();
    return e;
  }

  gateway::QueuedMessage spool_envelope(const gateway::Envelope& e, const std::string& content) {
    constexpr std::size_t piece_bytes = 4096;
    auto committed = spool_test::spool_message(*spool, e, content, piece_bytes);
    BOOST_TEST_REQUIRE(committed.has_value());
    return std::move(*committed);
  }

  gateway::QueuedMessage spool_message(std::vector<std::string> recipients,
                                       const std::string& content = spool_test::sample_content()) {
    return spool_envelope(envelope(std::move(recipients)), content);
  }

  // Starts a delivery of `message`; `into` receives the outcome when it ends.
  void start_delivery(gateway::QueuedMessage& message, std::optional<Delivered>& into) {
    if (!deliverer) {
      make_deliverer();
    }
    const SimTime start = world.now();
    asio::co_spawn(
        gateway.executor(),
        [this, &message, &into, start]() -> asio::awaitable<void> {
          gateway::DeliveryOutcome outcome = co_await deliverer->deliver(message);
          into = Delivered{std::move(outcome), world.now() - start};
        },
        [](std::exception_ptr error) {
          if (error) {
            std::rethrow_exception(error);
          }
        });
  }

  // Runs one delivery of `message` to its end.
  Delivered deliver(gateway::QueuedMessage& message) {
    std::optional<Delivered> delivered;
    start_delivery(message, delivered);
    BOOST_TEST_REQUIRE(
        world.run_until([&] { return delivered.has_value(); }, world.now() + SimTime(24h)));
    return std::move(*delivered);
  }

  // The number of trace lines with this event name.
  std::size_t count_events(std::string_view event) {
    const std::string needle = "\"event\": \"" + std::string(event) + "\"";
    std::size_t found = 0;
    const std::string& text = world.trace().text();
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++found;
    }
    return found;
  }

  // The trace lines with this event name.
  std::vector<std::string> event_lines(std::string_view event) {
    const std::string needle = "\"event\": \"" + std::string(event) + "\"";
    std::vector<std::string> lines;
    const std::string& text = world.trace().text();
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      const std::string line = text.substr(start, end - start);
      if (line.find(needle) != std::string::npos) {
        lines.push_back(line);
      }
      start = end == std::string::npos ? text.size() : end + 1;
    }
    return lines;
  }

  sim::World world;
  sim::Node& gateway = world.add_node("gw", gateway_address);
  sim::Node& mx = world.add_node("mx", sink_address);
  std::shared_ptr<peers::SinkRecord> record = std::make_shared<peers::SinkRecord>();
  gateway::Config config = make_config();
  std::map<std::string, std::string> ca_files;
  std::optional<gateway::Spool> spool;
  gateway::GatewayMetrics metrics;
  std::optional<gateway::GatewayDeliverer> deliverer;
};

}  // namespace delivery_test
