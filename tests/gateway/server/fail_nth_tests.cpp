// Fail-nth matrices over the inbound SMTP session: a conversation is first run cleanly to
// count the session's reads and writes, then once for every n with the n-th read (reset,
// or an early end of stream) or the n-th write (reset) failing on the gateway's side of
// the connection. Whatever fails, the session must end at once, release everything it
// held, and lose no message the client saw accepted; a message whose 250 never reached
// the client may stay queued only when writing that very 250 is what failed (the sender
// retries, so a duplicate is allowed and a loss is not).
#include <algorithm>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/gateway/server/fail_nth_support.hpp"

namespace fail_nth_test {
namespace {

// A session that ends only when its command timeout fires (5 minutes by default) did not
// notice the failure: the world must settle well before.
constexpr sim::SimTime settle_limit = std::chrono::minutes(1);

const std::string ehlo = "EHLO client.example\r\n";

// The TLS identity every case presents, made once: making keys is the slowest step.
const runtime::Credentials& server_credentials() {
  static const runtime::Credentials credentials = [] {
    const auto start = sim::WorldOptions{}.wall_start - 24h;
    const auto authority =
        runtime::make_certificate_authority(
            {.common_name = "Test CA", .not_before = start, .not_after = start + 24h * 400})
            .value();
    return runtime::issue_certificate(authority, {.common_name = "gw.example.net",
                                                  .dns_names = {"gw.example.net"},
                                                  .not_before = start,
                                                  .not_after = start + 24h * 400,
                                                  .serial = 2})
        .value();
  }();
  return credentials;
}

// Two messages in one session, pipelined (RFC 2920): the envelope and DATA go together,
// the first body goes with the second envelope, the second body with QUIT. The second
// message spans several of the session's reads.
struct Conversation {
  bool starttls = false;
  std::vector<ClientStep> steps;
  std::vector<Message> messages;
  std::vector<std::size_t> end_of_data_reply;  // per message: its position among replies
};

Conversation two_pipelined_messages(bool starttls) {
  Conversation talk;
  talk.starttls = starttls;
  talk.messages = {make_message(1, 4), make_message(2, 600)};
  const Message& first = talk.messages[0];
  const Message& second = talk.messages[1];

  talk.steps.push_back({ehlo});
  std::size_t replies = 2;  // the greeting and EHLO's
  if (starttls) {
    talk.steps.push_back({.send = "STARTTLS\r\n", .replies = 1, .then_tls = true});
    talk.steps.push_back({ehlo});
    replies += 2;
  }
  talk.steps.push_back({first.envelope + "DATA\r\n", 3});
  talk.steps.push_back({first.sent + second.envelope + "DATA\r\n", 4});
  talk.steps.push_back({second.sent + "QUIT\r\n", 2});
  // After the 250, 250 and 354 of each message's envelope and DATA.
  talk.end_of_data_reply = {replies + 3, replies + 7};
  return talk;
}

// The same two messages in BDAT chunks (RFC 3030), pipelined: the first in one LAST
// chunk with its envelope, the second in two chunks with its envelope, then QUIT.
Conversation two_pipelined_bdat_messages() {
  Conversation talk;
  talk.messages = {make_message(1, 4), make_message(2, 600)};
  const Message& first = talk.messages[0];
  const Message& second = talk.messages[1];
  auto bdat = [](std::string_view octets, bool last) {
    return "BDAT " + std::to_string(octets.size()) + (last ? " LAST" : "") + "\r\n" +
           std::string(octets);
  };
  const std::string_view content = second.expected_content;
  const std::size_t half = content.size() / 2;

  talk.steps.push_back({ehlo});
  talk.steps.push_back({first.envelope + bdat(first.expected_content, true), 3});
  talk.steps.push_back(
      {second.envelope + bdat(content.substr(0, half), false) + bdat(content.substr(half), true),
       4});
  talk.steps.push_back({"QUIT\r\n", 1});
  // After the greeting and EHLO's reply: each message's MAIL and RCPT replies, the second's
  // first chunk, then the 250 that queues it.
  talk.end_of_data_reply = {2 + 2, 2 + 6};
  return talk;
}

// One world with one gateway and one client, run until everything settled.
class Run {
 public:
  Run(const Conversation& talk, std::optional<FaultPlan> plan)
      : book_(std::make_shared<FaultBook>()),
        client_log_(std::make_shared<ClientLog>()),
        gateway_(world_.add_node("gateway", server_test::gateway_address)),
        client_(world_.add_node("client", server_test::client_address)) {
    book_->plan = plan;
    world_.network().set_default_link({.latency = 5ms});
    config_ = gateway::parse_config(server_test::base_config(), "/etc/gw.yaml").value();
    if (talk.starttls) {
      tls_.emplace(runtime::TlsContext::server(server_credentials().chain_pem,
                                               server_credentials().private_key_pem)
                       .value());
    }
    gateway_.boot([this](runtime::Host& host) {
      auto process = std::make_shared<FaultyGateway>(host, book_, config_, delivered_,
                                                     tls_ ? &*tls_ : nullptr);
      process_ = &process->process;
      return process;
    });
    client_.boot([steps = talk.steps, log = client_log_](runtime::Host& host) {
      asio::co_spawn(host.executor(), run_client(host, steps, log), asio::detached);
      return std::shared_ptr<void>();
    });
    const sim::SimTime started = world_.now();
    settled_ = world_.run_until([this] { return settled(); }, world_.now() + settle_limit);
    settle_time_ = world_.now() - started;
  }

  // The client is done, no session runs and the queue has delivered what it holds.
  bool settled() const {
    return client_log_->done && process_->server.active_sessions() == 0 &&
           process_->queue.size() == 0 && !process_->queue.busy();
  }

  bool settled_ = false;
  sim::SimTime settle_time_{};

  const FaultBook& book() const { return *book_; }
  const ClientLog& client() const { return *client_log_; }
  const std::vector<server_test::Delivered>& delivered() const { return delivered_; }
  server_test::GatewayProcess& process() { return *process_; }

 private:
  std::shared_ptr<FaultBook> book_;
  std::shared_ptr<ClientLog> client_log_;
  std::optional<runtime::TlsContext> tls_;  // before the world: the process points at it
  gateway::Config config_;
  std::vector<server_test::Delivered> delivered_;
  sim::World world_;
  sim::Node& gateway_;
  sim::Node& client_;
  server_test::GatewayProcess* process_ = nullptr;
};

// The queue id a "250 2.0.0 OK queued as <id>" line names.
std::string queued_id(const std::string& line) {
  const std::string marker = "queued as ";
  const auto at = line.find(marker);
  return at == std::string::npos ? std::string() : line.substr(at + marker.size());
}

// How many delivered copies carry exactly this message: our Received field, then the
// content unchanged.
std::size_t copies_of(const Run& run, const Message& message) {
  return static_cast<std::size_t>(std::count_if(
      run.delivered().begin(), run.delivered().end(), [&](const server_test::Delivered& got) {
        return got.content.starts_with("Received: ") &&
               got.content.ends_with("\r\n" + message.expected_content);
      }));
}

// Everything a case checks once its world settled. `clean` holds the replies of the run
// without faults, which every faulty run's replies must begin like.
void check_invariants(Run& run, const Conversation& talk, const std::vector<int>& clean,
                      const std::optional<FaultPlan>& plan) {
  const FaultBook& book = run.book();

  // No hang: the client finished and the session ended long before any timeout.
  BOOST_TEST(run.settled_, "the world did not settle within a virtual minute");
  BOOST_TEST(run.client().done);
  BOOST_TEST(run.process().server.active_sessions() == 0u);
  BOOST_TEST(run.process().metrics.connections_active == 0);
  BOOST_TEST(run.process().metrics.connections_total == 1u);
  if (plan) {
    BOOST_TEST(book.fired, "the planned operation was never reached");
  }

  // No leak: the session released its stream (and the TLS layer above it).
  BOOST_TEST(book.streams_made == 1u);
  BOOST_TEST(book.streams_alive == 0u);

  // The server said nothing it would not have said without the fault, in the same order.
  const auto& codes = run.client().codes;
  BOOST_TEST_REQUIRE(codes.size() <= clean.size());
  BOOST_TEST(std::equal(codes.begin(), codes.end(), clean.begin()),
             "the replies are not a prefix of the clean run's");

  // No loss, and nothing queued that was not accepted.
  std::size_t expected_deliveries_min = 0;
  std::size_t expected_deliveries_max = 0;
  for (std::size_t index = 0; index < talk.messages.size(); ++index) {
    BOOST_TEST_CONTEXT("message " << index + 1) {
      const std::size_t position = talk.end_of_data_reply[index];
      const bool saw_250 = codes.size() > position && codes[position] == 250;
      const auto tagged =
          plan ? book.queued_reply_writes.find(plan->nth) : book.queued_reply_writes.end();
      const bool its_250_write_failed = plan && plan->op == Op::write &&
                                        tagged != book.queued_reply_writes.end() &&
                                        tagged->second == index + 1;
      const std::size_t copies = copies_of(run, talk.messages[index]);
      if (saw_250) {
        BOOST_TEST(copies == 1u, "answered 250 but delivered " << copies << " times");
        const std::string id = queued_id(run.client().lines[position]);
        const bool delivered_under_that_id =
            std::any_of(run.delivered().begin(), run.delivered().end(),
                        [&](const server_test::Delivered& got) { return got.queue_id == id; });
        BOOST_TEST(delivered_under_that_id, "queue id " << id << " from the 250 not delivered");
        ++expected_deliveries_min;
        ++expected_deliveries_max;
      } else if (its_250_write_failed) {
        // Committed before its 250 was written: queued, or not, both keep the promise.
        BOOST_TEST(copies <= 1u);
        ++expected_deliveries_max;
      } else {
        BOOST_TEST(copies == 0u, "never answered 250 yet delivered " << copies << " times");
      }
    }
  }

  // Every delivered message is one of ours, whole; nothing stays in the spool, not even
  // the temporary file of a message cut off in DATA.
  BOOST_TEST(run.delivered().size() >= expected_deliveries_min);
  BOOST_TEST(run.delivered().size() <= expected_deliveries_max);
  auto& spool = run.process().spool;
  auto files = spool.storage().list(spool.messages_folder());
  BOOST_TEST_REQUIRE(files.has_value());
  BOOST_TEST(files->empty(), "spool files left: " << files->size());
}

struct FaultKind {
  Op op;
  runtime::error_code error;
};

const std::vector<FaultKind> fault_kinds = {
    {Op::read, asio::error::connection_reset},
    {Op::read, asio::error::eof},
    {Op::write, asio::error::connection_reset},
};

// Cases left out of the matrix because they fail for a reason already reported; each
// names the scenario, the operation and n.
struct KnownFailure {
  bool starttls;
  Op op;
  std::size_t nth;
  const char* why;
};

const std::vector<KnownFailure> known_failures = {};

bool is_known_failure(bool starttls, Op op, std::size_t nth) {
  return std::any_of(known_failures.begin(), known_failures.end(), [&](const KnownFailure& k) {
    return k.starttls == starttls && k.op == op && k.nth == nth;
  });
}

// Runs the whole matrix for one conversation; returns how many faulty runs it made.
std::size_t run_matrix(const Conversation& talk) {
  // The clean run: every reply, both messages delivered, and the count of operations.
  Run clean(talk, std::nullopt);
  BOOST_TEST_CONTEXT("clean run") {
    check_invariants(clean, talk, clean.client().codes, {});
  }
  const std::vector<int> clean_codes = clean.client().codes;
  BOOST_TEST_REQUIRE(clean_codes.size() == talk.end_of_data_reply.back() + 2);
  BOOST_TEST_REQUIRE(clean.delivered().size() == 2u);
  BOOST_TEST_REQUIRE(clean.book().queued_reply_writes.size() == 2u);
  const std::size_t reads = clean.book().reads;
  const std::size_t writes = clean.book().writes;
  BOOST_TEST_MESSAGE((talk.starttls ? "starttls" : "plain")
                     << ": " << reads << " reads, " << writes << " writes");

  std::size_t cases = 0;
  for (const FaultKind& kind : fault_kinds) {
    const std::size_t total = kind.op == Op::read ? reads : writes;
    for (std::size_t nth = 1; nth <= total; ++nth) {
      if (is_known_failure(talk.starttls, kind.op, nth)) {
        continue;
      }
      BOOST_TEST_CONTEXT((talk.starttls ? "after STARTTLS" : "plain")
                         << ", " << op_name(kind.op) << " " << nth << " of " << total
                         << " fails with " << kind.error.message()) {
        const FaultPlan plan{kind.op, nth, kind.error};
        Run run(talk, plan);
        check_invariants(run, talk, clean_codes, plan);
        ++cases;
      }
    }
  }
  return cases;
}

BOOST_AUTO_TEST_SUITE(fail_nth_inbound_session)

BOOST_AUTO_TEST_CASE(a_failure_at_any_read_or_write_of_a_pipelined_session_loses_nothing) {
  const std::size_t cases = run_matrix(two_pipelined_messages(false));
  BOOST_TEST(cases > 0u);
}

BOOST_AUTO_TEST_CASE(a_failure_at_any_read_or_write_of_a_starttls_session_loses_nothing) {
  const std::size_t cases = run_matrix(two_pipelined_messages(true));
  BOOST_TEST(cases > 0u);
}

BOOST_AUTO_TEST_CASE(a_failure_at_any_read_or_write_of_a_bdat_session_loses_nothing) {
  const std::size_t cases = run_matrix(two_pipelined_bdat_messages());
  BOOST_TEST(cases > 0u);
}

// The matrix leans on the tagging of the writes that carry "250 ... queued": without it a
// message committed before a failed 250 would be a false alarm, or a real loss missed.
BOOST_AUTO_TEST_CASE(the_writes_that_carry_each_queued_reply_are_found) {
  const Conversation talk = two_pipelined_messages(false);
  Run clean(talk, std::nullopt);
  const auto& writes = clean.book().queued_reply_writes;
  BOOST_TEST_REQUIRE(writes.size() == 2u);
  for (const auto& [write, message] : writes) {
    BOOST_TEST_CONTEXT("write " << write << " for message " << message) {
      // Failing exactly that write leaves the client without the 250 of that message.
      Run run(talk, FaultPlan{Op::write, write, asio::error::connection_reset});
      const std::size_t position = talk.end_of_data_reply[message - 1];
      BOOST_TEST(run.client().codes.size() == position);
      // The message was committed before the write: it is delivered all the same.
      BOOST_TEST(copies_of(run, talk.messages[message - 1]) == 1u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace fail_nth_test
