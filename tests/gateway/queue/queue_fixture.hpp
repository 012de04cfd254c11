// A simulated gateway node running a spool and a queue manager with scriptable stages, for
// the queue tests. The fakes live outside the node, so what they saw survives crashes: the
// deliverer's record is what the next hop received.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "gateway/queue/bounce_notifier.hpp"
#include "gateway/queue/deliverer.hpp"
#include "gateway/queue/inspector.hpp"
#include "gateway/queue/queue_manager.hpp"
#include "gateway/queue/retry_policy.hpp"
#include "gateway/spool/spool.hpp"
#include "sim/world.hpp"
#include "tests/gateway/spool/spool_fixture.hpp"

namespace queue_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using gateway::DeliveryResult;
using gateway::MessageState;
using gateway::QueueId;
using sim::SimTime;

// Waits `delay` in virtual time on the node; a crash ends the wait by destroying it.
inline asio::awaitable<void> pause(runtime::Host& host, runtime::Duration delay) {
  if (delay <= runtime::Duration::zero()) {
    co_return;
  }
  runtime::Timer timer(host);
  timer.expires_after(delay);
  runtime::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

class FakeInspector final : public gateway::Inspector {
 public:
  asio::awaitable<gateway::InspectionOutcome> inspect(gateway::QueuedMessage& message) override {
    co_await pause(*host, latency);
    inspected.push_back(message.id().text());
    co_return decide(message);
  }

  std::function<gateway::InspectionOutcome(const gateway::QueuedMessage&)> decide =
      [](const gateway::QueuedMessage&) { return gateway::InspectionOutcome{}; };
  runtime::Duration latency{0};
  runtime::Host* host = nullptr;
  std::vector<std::string> inspected;  // queue ids, once per finished inspection
};

struct Attempt {
  std::string queue_id;
  SimTime started;
  SimTime finished;
  std::vector<std::string> recipients;
};

class FakeDeliverer final : public gateway::Deliverer {
 public:
  // A recipient's result on the nth attempt (from 1) at delivering its message.
  using Decide = std::function<std::pair<DeliveryResult, std::string>(
      const gateway::QueuedMessage&, const std::string& recipient, int attempt)>;

  asio::awaitable<gateway::DeliveryOutcome> deliver(gateway::QueuedMessage& message) override {
    const SimTime started = world->now();
    in_flight_max = std::max(in_flight_max, ++in_flight);
    co_await pause(*host, latency);
    --in_flight;

    // The next hop reads the content through the spool, as a real delivery would.
    const std::string id = message.id().text();
    auto content = spool_test::read_content(*spool, message.id());
    BOOST_TEST_REQUIRE(content.has_value());
    contents[id] = *content;

    const int attempt = ++attempts_by_message[id];
    Attempt record{id, started, world->now(), {}};
    gateway::DeliveryOutcome outcome;
    for (std::size_t i = 0; i < message.record.recipients.size(); ++i) {
      const auto& recipient = message.record.recipients[i];
      if (recipient.state != gateway::RecipientState::pending) {
        continue;
      }
      record.recipients.push_back(recipient.address);
      auto [result, reply] = decide(message, recipient.address, attempt);
      if (result == DeliveryResult::delivered) {
        delivered[id].insert(recipient.address);
      }
      outcome.recipients.push_back({i, result, reply});
    }
    attempts.push_back(std::move(record));
    co_return outcome;
  }

  std::vector<SimTime> attempt_times(const QueueId& id) const {
    std::vector<SimTime> times;
    for (const auto& attempt : attempts) {
      if (attempt.queue_id == id.text()) {
        times.push_back(attempt.started);
      }
    }
    return times;
  }

  Decide decide = [](const gateway::QueuedMessage&, const std::string&, int) {
    return std::pair{DeliveryResult::delivered, std::string("250 2.0.0 ok")};
  };
  runtime::Duration latency{0};
  runtime::Host* host = nullptr;
  gateway::Spool* spool = nullptr;
  sim::World* world = nullptr;

  std::vector<Attempt> attempts;
  std::map<std::string, int> attempts_by_message;
  std::map<std::string, std::set<std::string>> delivered;  // queue id -> recipients
  std::map<std::string, std::string> contents;
  int in_flight = 0;
  int in_flight_max = 0;
};

struct Bounce {
  std::string queue_id;
  std::string sender;
  std::string recipient;
  std::string reply;
  SimTime at;
};

class RecordingBounces final : public gateway::BounceNotifier {
 public:
  void notify(const gateway::QueuedMessage& message,
              std::span<const std::size_t> recipients) override {
    for (std::size_t index : recipients) {
      const auto& recipient = message.record.recipients[index];
      bounces.push_back({message.id().text(), message.envelope.mail_from, recipient.address,
                         recipient.reply, world->now()});
    }
  }

  sim::World* world = nullptr;
  std::vector<Bounce> bounces;
};

struct QueueWorld;

// What the gateway node runs: its spool and its queue manager.
struct GatewayProcess {
  GatewayProcess(runtime::Host& host, QueueWorld& q);

  gateway::Spool spool;
  gateway::QueueManager manager;
};

struct QueueWorld {
  explicit QueueWorld(gateway::RetrySettings retry_settings = {},
                      gateway::QueueSettings queue_settings = {},
                      std::uint64_t seed = 1)
      : retry(retry_settings), settings(queue_settings), world(sim::WorldOptions{.seed = seed}) {
    world.trace().keep_lines(true);
    deliverer.world = &world;
    bounces.world = &world;
  }

  // Starts the gateway; call once, then crash() and restart() as the test needs.
  void boot() {
    node.boot([this](runtime::Host& host) {
      auto process = std::make_shared<GatewayProcess>(host, *this);
      inspector.host = &host;
      deliverer.host = &host;
      deliverer.spool = &process->spool;
      current = process;
      BOOST_TEST_REQUIRE(!process->manager.start());
      return std::shared_ptr<void>(process);
    });
  }

  GatewayProcess& gateway() {
    auto process = current.lock();
    BOOST_TEST_REQUIRE(process != nullptr);
    return *process;
  }

  gateway::Envelope envelope(std::string sender, std::vector<std::string> recipients) {
    gateway::Envelope e = spool_test::sample_envelope();
    e.mail_from = std::move(sender);
    e.recipients = std::move(recipients);
    e.received_time = node.clock().wall_now();
    return e;
  }

  // Spools and commits a message as the SMTP server would; nothing when the queue is full.
  std::optional<QueueId> send(const gateway::Envelope& e,
                              const std::string& content = spool_test::sample_content()) {
    GatewayProcess& process = gateway();
    if (!process.manager.admit()) {
      return std::nullopt;
    }
    auto committed = spool_test::spool_message(process.spool, e, content);
    BOOST_TEST_REQUIRE(committed.has_value());
    const QueueId id = committed->id();
    process.manager.commit(std::move(*committed));
    committed_ids.push_back(id);
    return id;
  }

  std::optional<QueueId> send_default() {
    return send(envelope("alice@source.example", {"bob@corp.example", "carol@corp.example"}));
  }

  // Runs until `done` holds; fails the test if it does not by `limit`.
  void run_until(const std::function<bool()>& done, SimTime limit) {
    BOOST_TEST_REQUIRE(world.run_until(done, limit));
  }

  std::size_t count(std::string_view event) {
    const std::string needle = "\"event\": \"" + std::string(event) + "\"";
    std::size_t found = 0;
    const std::string& text = world.trace().text();
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++found;
    }
    return found;
  }

  // The queue events of one message, in order, as their names.
  std::vector<std::string> queue_events(const QueueId& id) {
    std::vector<std::string> names;
    const std::string& text = world.trace().text();
    const std::string key = "\"queue_id\": \"" + id.text() + "\"";
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      const std::string_view line(text.data() + start, end - start);
      const std::size_t event = line.find("\"event\": \"queue.");
      if (event != std::string_view::npos && line.find(key) != std::string_view::npos) {
        const std::size_t name = event + std::string_view("\"event\": \"queue.").size();
        names.emplace_back(line.substr(name, line.find('"', name) - name));
      }
      start = end + 1;
    }
    return names;
  }

  gateway::RetrySettings retry;
  gateway::QueueSettings settings;
  // The fakes outlive the world, whose nodes may still hold coroutines that name them.
  FakeInspector inspector;
  FakeDeliverer deliverer;
  RecordingBounces bounces;
  gateway::GatewayMetrics metrics;  // outlives crashes: it counts over the whole test
  std::vector<QueueId> committed_ids;
  std::weak_ptr<GatewayProcess> current;

  sim::World world;
  sim::Node& node = world.add_node("gw", "10.0.0.1");
};

inline GatewayProcess::GatewayProcess(runtime::Host& host, QueueWorld& q)
    : spool(host, spool_test::spool_folder),
      manager(host, spool, q.inspector, q.deliverer, q.bounces, gateway::RetryPolicy(q.retry),
              q.settings, &q.metrics) {}

}  // namespace queue_test
