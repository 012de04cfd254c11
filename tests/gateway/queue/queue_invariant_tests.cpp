// The whole-world invariant: under a random workload with crashes and disk faults, every
// message whose commit succeeded (the moment the SMTP server may answer 250) ends with each
// recipient delivered or bounced, or sits held in quarantine. Nothing is lost and nothing
// is left stuck, for every seed.
#include <map>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "queue_fixture.hpp"
#include "sim/disk.hpp"

namespace {

using namespace queue_test;

constexpr int messages_per_run = 40;
constexpr int crashes_per_run = 3;
constexpr int faults_per_run = 6;

// A world with random traffic, outcomes, crashes and faults, all drawn from its seed.
struct Workload {
  explicit Workload(std::uint64_t seed)
      : q({.minimum_backoff = 1min, .maximum_backoff = 10min, .backoff_factor = 2,
           .queue_lifetime = 1h},
          {.max_queue_messages = 30, .max_concurrent_inspections = 3,
           .max_concurrent_deliveries = 4},
          seed),
        dice(q.world.random("workload")) {
    q.inspector.latency = 20s;
    q.inspector.decide = [](const gateway::QueuedMessage& message) {
      return message.envelope.mail_from.starts_with("mallory")
                 ? gateway::InspectionOutcome{gateway::InspectionResult::hold, "malicious"}
                 : gateway::InspectionOutcome{};
    };
    q.deliverer.latency = 5s;
    q.deliverer.decide = [this](const auto&, const std::string&, int) { return outcome(); };
  }

  std::pair<DeliveryResult, std::string> outcome() {
    const auto roll = dice.uniform(1, 100);
    if (roll <= 60) {
      return {DeliveryResult::delivered, "250 2.0.0 ok"};
    }
    if (roll <= 90) {
      return {DeliveryResult::deferred, "451 4.3.0 try later"};
    }
    return {DeliveryResult::bounced, "550 5.1.1 no such user"};
  }

  // Sends one message if the gateway is up and admits it; a failed commit is what a
  // client sees as a 4xx, so it is simply not counted as committed.
  void send() {
    auto process = q.current.lock();
    if (!q.node.up() || process == nullptr || !process->manager.admit()) {
      return;
    }
    static const std::vector<std::string> senders = {"alice@source.example", "",
                                                     "mallory@source.example"};
    static const std::vector<std::string> pool = {"bob@corp.example", "carol@corp.example",
                                                  "dave@corp.example"};
    const auto roll = dice.uniform(1, 10);
    const std::string& sender = roll == 1 ? senders[1] : roll == 2 ? senders[2] : senders[0];
    std::vector<std::string> recipients(pool.begin(),
                                        pool.begin() + static_cast<long>(dice.uniform(1, 3)));
    const std::string content = spool_test::patterned_content(dice.uniform(1, 9000));
    auto committed =
        spool_test::spool_message(process->spool, q.envelope(sender, recipients), content);
    if (committed) {
      q.committed_ids.push_back(committed->id());
      recipients_of[committed->id().text()] = recipients;
      process->manager.commit(std::move(*committed));
    }
  }

  void schedule() {
    for (int i = 0; i < messages_per_run; ++i) {
      q.world.at(SimTime(std::chrono::seconds(dice.uniform(0, 1800))), [this] { send(); });
    }
    // Crashes one after another, each followed by a restart with the faults cleared.
    SimTime at{0};
    for (int i = 0; i < crashes_per_run; ++i) {
      at += std::chrono::seconds(dice.uniform(30, 900));
      q.world.at(at, [this] { q.node.crash(); });
      at += std::chrono::seconds(dice.uniform(10, 300));
      q.world.at(at, [this] {
        q.node.disk().clear_faults();
        q.node.restart();
      });
    }
    for (int i = 0; i < faults_per_run; ++i) {
      static const std::vector<sim::DiskOp> ops = {sim::DiskOp::write, sim::DiskOp::sync,
                                                   sim::DiskOp::rename, sim::DiskOp::remove,
                                                   sim::DiskOp::sync_directory};
      const auto op = ops[dice.uniform(0, ops.size() - 1)];
      const auto nth = dice.uniform(1, 20);
      q.world.at(SimTime(std::chrono::seconds(dice.uniform(0, 2400))),
                 [this, op, nth] { q.node.disk().inject_fault(op, nth, std::errc::io_error); });
    }
  }

  bool bounced(const QueueId& id, const std::string& recipient) {
    const std::string line = "\"event\": \"queue.bounced\", \"queue_id\": \"" + id.text() +
                             "\", \"recipient\": \"" + recipient + "\"";
    return q.world.trace().text().find(line) != std::string::npos;
  }

  QueueWorld q;
  runtime::Random dice;
  std::map<std::string, std::vector<std::string>> recipients_of;  // by queue id
};

BOOST_AUTO_TEST_SUITE(queue)

BOOST_AUTO_TEST_CASE(every_committed_message_ends_delivered_bounced_or_held) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    Workload w(seed);
    w.q.boot();
    w.schedule();

    // Safety phase: traffic, crashes and faults. Then a last restart on a healthy disk
    // and a liveness phase long enough for every lifetime to run out.
    w.q.world.run_until(SimTime(1h));
    w.q.node.crash();
    w.q.node.disk().clear_faults();
    w.q.node.restart();
    w.q.world.run_until(SimTime(4h));

    const std::string replay = " (seed " + std::to_string(seed) + ")";
    BOOST_TEST_MESSAGE("seed " << seed << ": committed " << w.q.committed_ids.size()
                       << ", delivered " << w.q.count("queue.delivered") << ", bounced "
                       << w.q.count("queue.bounced") << ", held " << w.q.count("queue.held")
                       << ", deferred " << w.q.count("queue.deferred") << ", faults "
                       << w.q.count("disk.fault") << ", crashes " << w.q.count("node.crash")
                       << ", storage errors " << w.q.count("queue.storage_error")
                       << ", recovered " << w.q.count("queue.recovered") << ", left "
                       << w.q.gateway().manager.size());
    BOOST_TEST(w.q.committed_ids.size() >= 10u, replay);
    GatewayProcess& gateway = w.q.gateway();
    for (const auto& id : w.q.committed_ids) {
      const gateway::QueuedMessage* queued = gateway.manager.find(id);
      if (queued != nullptr) {
        BOOST_TEST((queued->record.state == MessageState::held), id.text() << replay);
        BOOST_TEST(gateway.spool.contains(id), id.text() << replay);
        continue;
      }
      auto reader = gateway.spool.open_message(id);
      BOOST_TEST(!reader.has_value(), id.text() << " left in the spool" << replay);

      // Gone from the queue: each recipient reached the next hop or bounced.
      const auto& delivered = w.q.deliverer.delivered[id.text()];
      for (const auto& recipient : w.recipients_of[id.text()]) {
        BOOST_TEST((delivered.count(recipient) == 1u || w.bounced(id, recipient)),
                   id.text() << " " << recipient << replay);
      }
    }

    // No bounce ever went to the null sender, and nothing but held mail is left.
    for (const auto& bounce : w.q.bounces.bounces) {
      BOOST_TEST(!bounce.sender.empty(), replay);
    }
    BOOST_TEST(w.q.count("spool.corrupt") == 0u, replay);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
