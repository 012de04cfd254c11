#include "scenarios/story.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "emulator_mock/behaviour_parser.hpp"
#include "emulator_mock/emulator.hpp"
#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "runtime/certificates.hpp"
#include "runtime/host.hpp"
#include "runtime/tls.hpp"
#include "sim/network.hpp"
#include "sim/peers/sink_record.hpp"
#include "sim/peers/smtp_sink.hpp"
#include "sim/world.hpp"

namespace scenarios {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

const std::string gateway_address = "10.0.0.1";
const std::string sandbox_address = "10.0.0.5";
const std::string internal_address = "10.0.0.9";
const std::string recipient_address = "bob@corp.example";
const std::string quarantine_address = "soc@corp.example";

// The EICAR test file, base64 encoded as a mail client sends it.
const std::string eicar_base64 =
    "WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNU\r\n"
    "LUZJTEUhJEgrSCo=\r\n";

const std::string clean_part =
    "Content-Type: text/csv; name=\"figures.csv\"\r\n"
    "Content-Disposition: attachment; filename=\"figures.csv\"\r\n"
    "\r\n"
    "quarter,revenue\r\n"
    "Q1,120\r\n"
    "Q2,135\r\n";

const std::string mail =
    "From: alice@partner.example\r\n"
    "To: bob@corp.example\r\n"
    "Subject: figures and the tool\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"part\"\r\n"
    "\r\n"
    "--part\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Bob, the figures and the tool, as promised.\r\n"
    "--part\r\n"
    "Content-Type: application/octet-stream; name=\"tool.com\"\r\n"
    "Content-Disposition: attachment; filename=\"tool.com\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n" +
    eicar_base64 + "--part\r\n" + clean_part + "--part--\r\n";

using Note = std::function<void(std::string who, std::string what)>;

// Reads one whole SMTP reply; returns its last line, or nothing when the stream ended.
asio::awaitable<std::optional<std::string>> read_reply(runtime::ByteStream& stream,
                                                       std::string& pending) {
  for (;;) {
    std::size_t start = 0;
    for (std::size_t end; (end = pending.find("\r\n", start)) != std::string::npos;
         start = end + 2) {
      const std::string line = pending.substr(start, end - start);
      if (line.size() < 4 || line[3] != '-') {
        pending.erase(0, end + 2);
        co_return line;
      }
    }
    char area[2048];
    auto [ec, count] = co_await stream.async_read_some(asio::buffer(area), as_tuple_awaitable);
    if (ec) {
      co_return std::nullopt;
    }
    pending.append(area, count);
  }
}

// The source: one mail over STARTTLS, then QUIT. Notes each step.
asio::awaitable<void> send_mail(runtime::Host& host, Note note,
                                std::shared_ptr<StoryResult> result) {
  const runtime::Endpoint gateway{gateway_address, 25};
  auto [connect_error, stream] =
      co_await runtime::async_connect(host.network(), gateway, as_tuple_awaitable);
  if (connect_error) {
    note("source", "cannot connect: " + connect_error.message());
    co_return;
  }
  std::string pending;
  auto say = [&](const std::string& line) -> asio::awaitable<std::optional<std::string>> {
    auto [ec, written] = co_await asio::async_write(stream, asio::buffer(line), as_tuple_awaitable);
    (void)written;
    if (ec) {
      co_return std::nullopt;
    }
    co_return co_await read_reply(stream, pending);
  };

  auto greeting = co_await read_reply(stream, pending);
  note("source", "connected: " + greeting.value_or("(closed)"));
  co_await say("EHLO mail.partner.example\r\n");
  auto ready = co_await say("STARTTLS\r\n");
  if (!ready || !ready->starts_with("220")) {
    note("source", "no STARTTLS: " + ready.value_or("(closed)"));
    co_return;
  }
  auto client_tls = runtime::TlsContext::client_encrypt_only().value();
  auto [tls_error, secured] = co_await runtime::async_tls_handshake(
      host, std::move(stream), client_tls, runtime::TlsRole::client, "gw.corp.example",
      as_tuple_awaitable);
  if (tls_error) {
    note("source", "TLS handshake failed: " + tls_error.message());
    co_return;
  }
  stream = std::move(secured);
  note("source", "STARTTLS done");
  co_await say("EHLO mail.partner.example\r\n");
  co_await say("MAIL FROM:<alice@partner.example>\r\n");
  co_await say("RCPT TO:<" + recipient_address + ">\r\n");
  co_await say("DATA\r\n");
  note("source", "sends the mail: tool.com (EICAR) and figures.csv");
  const auto sent = host.clock().now();
  auto reply = co_await say(mail + ".\r\n");
  result->source_held_seconds = std::chrono::duration<double>(host.clock().now() - sent).count();
  result->source_got_250 = reply && reply->starts_with("250");
  note("source", "gets " + reply.value_or("(closed)"));
  co_await say("QUIT\r\n");
}

// The value of `key="..."` or `key=...` in a text log line.
std::string log_value(const std::string& line, const std::string& key) {
  const auto at = line.find(" " + key + "=");
  if (at == std::string::npos) {
    return {};
  }
  std::size_t start = at + key.size() + 2;
  if (start < line.size() && line[start] == '"') {
    std::string value;
    for (std::size_t i = start + 1; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        ++i;
      }
      value += line[i];
    }
    return value;
  }
  return line.substr(start, line.find(' ', start) - start);
}

}  // namespace

StoryResult run_story(const StoryOptions& options) {
  sim::World world({.seed = options.seed});
  auto result = std::make_shared<StoryResult>();
  result->mode = options.inline_mode ? "inline" : "mta";
  Note note = [&world, result](std::string who, std::string what) {
    result->timeline.push_back(
        {std::chrono::duration<double>(world.now()).count(), std::move(who), std::move(what)});
  };

  auto& source = world.add_node("source", "192.0.2.10");
  auto& gateway_node = world.add_node("gateway", gateway_address);
  auto& sandbox = world.add_node("sandbox", sandbox_address);
  auto& internal = world.add_node("internal", internal_address);
  world.network().set_default_link({.latency = 2ms});
  world.network().set_link("source", "gateway", {.latency = 40ms, .jitter = 5ms});

  // The sandbox: EICAR is malicious, the rest benign, every emulation takes its time.
  auto behaviour = emulator_mock::parse_behaviour(
      "default:\n  delay: " + std::to_string(options.sandbox_delay.count()) + "s\n",
      "story-sandbox.yaml");
  sandbox.boot([&](runtime::Host& host) -> std::shared_ptr<void> {
    auto emulator = std::make_shared<emulator_mock::Emulator>(host, *behaviour.behaviour);
    (void)emulator->start(runtime::Endpoint{sandbox_address, 80});
    return emulator;
  });

  auto received = std::make_shared<peers::SinkRecord>();
  internal.boot([&](runtime::Host& host) -> std::shared_ptr<void> {
    peers::SmtpSinkOptions sink_options;
    sink_options.hostname = "mx.corp.example";
    sink_options.record = received;
    auto sink = std::make_shared<peers::SmtpSink>(host, std::move(sink_options));
    sink->start();
    return sink;
  });

  // The gateway, with a certificate made for the occasion.
  const auto start = sim::WorldOptions{}.wall_start - 24h;
  const auto identity = runtime::make_self_signed_certificate({.common_name = "gw.corp.example",
                                                               .dns_names = {"gw.corp.example"},
                                                               .not_before = start,
                                                               .not_after = start + 24h * 365})
                            .value();
  const std::string yaml =
      "hostname: gw.corp.example\n"
      "listen: " +
      gateway_address +
      ":25\n"
      "mode: " +
      result->mode +
      "\n"
      "accepted_domains: [corp.example]\n"
      "spool_dir: /spool\n"
      "tls: {certificate: gw.crt, private_key: gw.key}\n"
      "routes:\n"
      "  - domain: corp.example\n"
      "    next_hop: " +
      internal_address +
      ":25\n"
      "emulation:\n"
      "  url: http://" +
      sandbox_address +
      ":80\n"
      "  poll_interval: 10s\n"
      "  max_delay: 10m\n"
      "quarantine:\n"
      "  address: " +
      quarantine_address + "\n";
  gateway::Config config = gateway::parse_config(yaml, "/etc/story.yaml").value();
  gateway_node.boot([&](runtime::Host& host) -> std::shared_ptr<void> {
    gateway::GatewayInputs inputs;
    inputs.tls_certificate_pem = identity.chain_pem;
    inputs.tls_private_key_pem = identity.private_key_pem;
    inputs.log_sink = [note](gateway::LogLevel, std::string_view text) {
      const std::string line(text);
      if (line.find(" inspection.file ") != std::string::npos) {
        note("gateway", log_value(line, "outcome"));
      } else if (line.find(" inspection.quarantine_copy ") != std::string::npos) {
        note("gateway", "spools " + log_value(line, "copy_queue_id") + ", the original for " +
                            quarantine_address);
      } else if (line.find(" smtp.message_received ") != std::string::npos) {
        note("gateway", "spooled " + log_value(line, "queue_id") + " (synced to disk)");
      }
    };
    std::string error;
    std::shared_ptr<gateway::Gateway> made =
        gateway::Gateway::create(host, config, std::move(inputs), error);
    if (!made || made->start(error)) {
      note("gateway", "does not start: " + error);
    }
    return made;
  });

  source.boot([&](runtime::Host& host) -> std::shared_ptr<void> {
    asio::co_spawn(host.executor(), send_mail(host, note, result), asio::detached);
    return nullptr;
  });

  // The internal server gets two messages: the mail for bob, and the quarantine copy.
  auto message_for = [&](const std::string& recipient) -> const peers::SinkMessage* {
    for (const peers::SinkMessage& message : received->messages) {
      if (message.recipients == std::vector<std::string>{recipient}) {
        return &message;
      }
    }
    return nullptr;
  };
  world.run_until(
      [&] {
        if (!result->delivered && message_for(recipient_address) != nullptr) {
          result->delivered = true;
          note("internal", "receives the mail for " + recipient_address);
        }
        if (!result->original_quarantined && message_for(quarantine_address) != nullptr) {
          result->original_quarantined = true;
          note("internal", "receives the original for " + quarantine_address);
        }
        return result->delivered && result->original_quarantined &&
               (result->source_got_250 || world.now() > sim::SimTime(1h));
      },
      sim::SimTime(2h));
  // Let the sessions close.
  world.run_until_idle(world.now() + 1min);

  if (const peers::SinkMessage* copy = message_for(quarantine_address)) {
    // The copy keeps what was removed: the original's EICAR part, as it was sent.
    result->original_quarantined = copy->content.find(eicar_base64) != std::string::npos;
  }
  if (const peers::SinkMessage* mail = message_for(recipient_address)) {
    const std::string& content = mail->content;
    result->eicar_delivered = content.find(eicar_base64) != std::string::npos ||
                              content.find("EICAR-STANDARD") != std::string::npos;
    result->clean_file_intact = content.find(clean_part) != std::string::npos;
    std::size_t at = 0;
    const std::string field = "X-Threat-Emulation: ";
    while ((at = content.find(field, at)) != std::string::npos) {
      const auto end = content.find("\r\n", at);
      result->verdicts.push_back(content.substr(at + field.size(), end - at - field.size()));
      at = end;
    }
  }
  result->trace_digest = world.trace().digest();
  return *result;
}

}  // namespace scenarios
