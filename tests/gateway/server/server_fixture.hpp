// A simulated gateway node running the SMTP server, the spool and the queue, with a
// recording deliverer and a scriptable inspector, and a client node that speaks SMTP as
// raw bytes so that tests see exactly what goes over the wire.
#pragma once

#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include "gateway/config.hpp"
#include "gateway/observability/logger.hpp"
#include "gateway/observability/metrics.hpp"
#include "gateway/queue/queue_manager.hpp"
#include "gateway/server/smtp_server.hpp"
#include "gateway/spool/spool.hpp"
#include "gateway/spool/spool_reader.hpp"
#include "runtime/certificates.hpp"
#include "runtime/tls.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"

namespace server_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using sim::SimTime;

inline const std::string gateway_address = "10.0.0.1";
inline const std::string client_address = "192.0.2.7";

inline std::string base_config(const std::string& extra = "") {
  return "hostname: gw.example.net\n"
         "listen: 10.0.0.1:25\n"
         "accepted_domains: [corp.example]\n"
         "spool_dir: /spool\n"
         "routes:\n"
         "  - domain: corp.example\n"
         "    next_hop: 10.0.0.9:25\n" +
         extra;
}

// What the next hop would have received: the message content as spooled.
struct Delivered {
  std::string queue_id;
  std::vector<std::string> recipients;
  std::string content;
};

class RecordingDeliverer final : public gateway::Deliverer {
 public:
  explicit RecordingDeliverer(std::vector<Delivered>& log) : log_(log) {}
  gateway::Spool* spool = nullptr;

  asio::awaitable<gateway::DeliveryOutcome> deliver(gateway::QueuedMessage& message) override {
    Delivered delivered{message.id().text(), message.envelope.recipients, {}};
    auto reader = spool->open_message(message.id());
    BOOST_REQUIRE(reader.has_value());
    for (;;) {
      auto chunk = reader->next_chunk();
      BOOST_REQUIRE(chunk.has_value());
      if (chunk->empty()) {
        break;
      }
      delivered.content += *chunk;
    }
    log_.push_back(std::move(delivered));
    co_return gateway::DeliveryOutcome::for_all_pending(message, gateway::DeliveryResult::delivered,
                                                        "250 2.0.0 ok");
  }

 private:
  std::vector<Delivered>& log_;
};

class SlowInspector final : public gateway::Inspector {
 public:
  runtime::Host* host = nullptr;
  runtime::Duration latency{0};
  // When set, each inspection spools a companion message (as a quarantine copy would be)
  // for the first recipient, ready, and returns it with the outcome.
  gateway::Spool* companion_spool = nullptr;

  asio::awaitable<gateway::InspectionOutcome> inspect(gateway::QueuedMessage& message) override {
    if (latency > runtime::Duration::zero()) {
      runtime::Timer timer(*host);
      timer.expires_after(latency);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    gateway::InspectionOutcome outcome;
    if (companion_spool != nullptr) {
      gateway::Envelope envelope;
      envelope.recipients = {message.envelope.recipients.front()};
      auto writer = companion_spool->begin(envelope);
      BOOST_REQUIRE(writer.has_value());
      BOOST_REQUIRE(!writer->append("Subject: companion\r\n\r\nA companion.\r\n"));
      auto companion = writer->commit();
      BOOST_REQUIRE(companion.has_value());
      companion->record.state = gateway::MessageState::ready;
      BOOST_REQUIRE(!companion_spool->save_state(companion->record));
      outcome.companions.push_back(std::move(*companion));
    }
    co_return outcome;
  }
};

class NoBounces final : public gateway::BounceNotifier {
 public:
  void notify(const gateway::QueuedMessage&, std::span<const std::size_t>) override {}
};

// Everything one gateway process holds; destroyed by a crash.
struct GatewayProcess {
  GatewayProcess(runtime::Host& host, const gateway::Config& config, std::vector<Delivered>& log,
                 runtime::TlsContext* tls, runtime::Duration inspection_latency)
      : spool(host, config.spool_dir),
        deliverer(log),
        queue(host, spool, inspector, deliverer, bounces, gateway::RetryPolicy{}),
        logger(host.clock(), gateway::LogFormat::text, gateway::LogLevel::warn, nullptr),
        context{host, config, spool, queue, inspector, logger, metrics, tls},
        server(context) {
    deliverer.spool = &spool;
    inspector.host = &host;
    inspector.latency = inspection_latency;
    BOOST_REQUIRE(!spool.prepare());
    BOOST_REQUIRE(!queue.start());
    BOOST_REQUIRE(!server.start());
  }

  gateway::Spool spool;
  SlowInspector inspector;
  RecordingDeliverer deliverer;
  NoBounces bounces;
  gateway::QueueManager queue;
  gateway::Logger logger;
  gateway::GatewayMetrics metrics;
  gateway::ServerContext context;
  gateway::SmtpServer server;
};

// One step of a client conversation: bytes to send, then how many final reply lines to
// wait for before the next step.
struct Step {
  std::string send;
  int replies = 1;
  bool then_tls = false;      // after the replies, run a TLS handshake as a client
  runtime::Duration pause{};  // virtual time to wait before sending
};

struct Conversation {
  std::string received;              // every byte the server sent
  std::vector<int> codes;            // the code of every final reply line, in order
  std::vector<SimTime> reply_times;  // when each final reply line arrived
  bool closed_by_server = false;
};

// Parses final reply lines ("250 ..." rather than "250-...") out of `received`.
inline void collect_codes(Conversation& talk, std::size_t& parsed, SimTime now) {
  for (;;) {
    const auto end = talk.received.find("\r\n", parsed);
    if (end == std::string::npos) {
      return;
    }
    const std::string line = talk.received.substr(parsed, end - parsed);
    parsed = end + 2;
    if (line.size() >= 4 && line[3] == ' ') {
      talk.codes.push_back(std::stoi(line.substr(0, 3)));
      talk.reply_times.push_back(now);
    }
  }
}

class Fixture {
 public:
  explicit Fixture(const std::string& yaml = base_config(), bool with_tls = false,
                   runtime::Duration inspection_latency = {})
      : gateway(world.add_node("gateway", gateway_address)),
        client(world.add_node("client", client_address)),
        inspection_latency_(inspection_latency) {
    world.network().set_default_link({.latency = 5ms});
    config = gateway::parse_config(yaml, "/etc/gw.yaml").value();
    if (with_tls) {
      make_tls();
    }
    gateway.boot([this](runtime::Host& host) {
      process = std::make_shared<GatewayProcess>(host, config, delivered, tls ? &*tls : nullptr,
                                                 inspection_latency_);
      return process;
    });
  }

  // Runs a conversation to its end: every step's replies, then the client closes. Returns
  // what the client saw.
  Conversation talk(std::vector<Step> steps) {
    auto talk = std::make_shared<Conversation>();
    auto done = std::make_shared<bool>(false);
    client.crash();  // ends the previous conversation, if any
    client.boot([steps, talk, done](runtime::Host& host) {
      asio::co_spawn(host.executor(), converse(host, steps, talk, done), asio::detached);
      return std::shared_ptr<void>();
    });
    world.run_until([&] { return *done; }, world.now() + 2h);
    BOOST_REQUIRE_MESSAGE(*done, "the conversation did not end within two virtual hours");
    return *talk;
  }

  std::optional<runtime::Credentials> server_credentials;
  std::optional<runtime::Credentials> authority;
  sim::World world;
  sim::Node& gateway;
  sim::Node& client;
  gateway::Config config;
  std::optional<runtime::TlsContext> tls;
  std::shared_ptr<GatewayProcess> process;
  std::vector<Delivered> delivered;

 private:
  void make_tls() {
    const auto start = world.wall_now() - 24h;
    authority = runtime::make_certificate_authority(
                    {.common_name = "Test CA", .not_before = start, .not_after = start + 24h * 400})
                    .value();
    server_credentials = runtime::issue_certificate(*authority, {.common_name = "gw.example.net",
                                                                 .dns_names = {"gw.example.net"},
                                                                 .not_before = start,
                                                                 .not_after = start + 24h * 400,
                                                                 .serial = 2})
                             .value();
    tls.emplace(runtime::TlsContext::server(server_credentials->chain_pem,
                                            server_credentials->private_key_pem)
                    .value());
  }

  static asio::awaitable<void> converse(runtime::Host& host, std::vector<Step> steps,
                                        std::shared_ptr<Conversation> talk,
                                        std::shared_ptr<bool> done);

  runtime::Duration inspection_latency_;
};

inline asio::awaitable<void> Fixture::converse(runtime::Host& host, std::vector<Step> steps,
                                               std::shared_ptr<Conversation> talk,
                                               std::shared_ptr<bool> done) {
  const runtime::Endpoint server{gateway_address, 25};
  auto [connect_error, stream] =
      co_await runtime::async_connect(host.network(), server, asio::as_tuple(asio::use_awaitable));
  BOOST_REQUIRE(!connect_error);
  std::size_t parsed = 0;
  std::size_t wanted = 1;  // the greeting
  auto client_tls = runtime::TlsContext::client_encrypt_only().value();

  // Reads until `wanted` final replies have arrived or the server closes.
  auto read_replies = [&]() -> asio::awaitable<bool> {
    char buffer[4096];
    while (talk->codes.size() < wanted) {
      auto [ec, count] = co_await stream.async_read_some(asio::buffer(buffer),
                                                         asio::as_tuple(asio::use_awaitable));
      talk->received.append(buffer, count);
      collect_codes(*talk, parsed, SimTime(host.clock().now().time_since_epoch()));
      if (ec) {
        talk->closed_by_server = true;
        co_return false;
      }
    }
    co_return true;
  };

  bool open = co_await read_replies();
  for (const Step& step : steps) {
    if (!open) {
      break;
    }
    if (step.pause > runtime::Duration{}) {
      runtime::Timer pause(host);
      pause.expires_after(step.pause);
      runtime::error_code pause_error;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, pause_error));
    }
    if (!step.send.empty()) {
      auto [ec, written] = co_await asio::async_write(stream, asio::buffer(step.send),
                                                      asio::as_tuple(asio::use_awaitable));
      (void)written;
      if (ec) {
        // The server hung up; what it said before that is still to be read.
        wanted = std::numeric_limits<std::size_t>::max();
        co_await read_replies();
        talk->closed_by_server = true;
        break;
      }
    }
    wanted += static_cast<std::size_t>(step.replies);
    open = co_await read_replies();
    if (open && step.then_tls) {
      auto [tls_error, secured] = co_await runtime::async_tls_handshake(
          host, std::move(stream), client_tls, runtime::TlsRole::client, "gw.example.net",
          asio::as_tuple(asio::use_awaitable));
      BOOST_REQUIRE_MESSAGE(!tls_error, "client handshake: " << tls_error.message());
      stream = std::move(secured);
    }
  }
  stream.close();
  *done = true;
}

}  // namespace server_test
