// The inspection stage end to end in the simulated world: a message in the spool, the
// MessageInspector on the gateway's node, the emulator mock on another, and what the spool
// holds afterwards, in exact virtual time.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/test/unit_test.hpp>

#include "emulator_mock/behaviour_parser.hpp"
#include "emulator_mock/emulator.hpp"
#include "gateway/config.hpp"
#include "gateway/inspection/message_inspector.hpp"
#include "gateway/observability/logger.hpp"
#include "gateway/spool/spool.hpp"
#include "inspection_support.hpp"
#include "sim/disk.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"
#include "tests/gateway/spool/spool_fixture.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using inspection_test::base64;
using inspection_test::crlf;
using inspection_test::eicar;

const std::string sandbox_address = "10.0.0.5";
const std::string benign_body = base64("Quarterly figures, nothing to see.\n");

// A mail with a text body, an EICAR attachment and a benign one, and a forged field.
const std::string sample = crlf(
    "From: a@sender.example\n"
    "To: b@corp.example\n"
    "Subject: figures\n"
    "X-Threat-Emulation: \"x\" sha256=00; benign\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain\n"
    "\n"
    "See the attached files.\n"
    "--b\n"
    "Content-Type: application/octet-stream; name=\"eicar.com\"\n"
    "Content-Disposition: attachment; filename=\"eicar.com\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" +
    base64(eicar) +
    "--b\n"
    "Content-Type: application/octet-stream; name=\"figures.txt\"\n"
    "Content-Disposition: attachment; filename=\"figures.txt\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" +
    benign_body + "--b--\n");

// The benign part exactly as the sample carries it.
std::string benign_part() {
  const auto at = sample.find("Content-Type: application/octet-stream; name=\"figures.txt\"");
  return sample.substr(at, sample.find("--b--") - at);
}

struct GatewaySide {
  GatewaySide(runtime::Host& host, const gateway::Config& config)
      : logger(host.clock(), gateway::LogFormat::text, gateway::LogLevel::info,
               [this](gateway::LogLevel, std::string_view line) { log.emplace_back(line); }),
        spool(host, config.spool_dir),
        inspector(host, config, spool, logger, {.metrics = &metrics}) {
    BOOST_REQUIRE(!spool.prepare());
  }
  std::vector<std::string> log;
  gateway::GatewayMetrics metrics;
  gateway::Logger logger;
  gateway::Spool spool;
  gateway::inspection::MessageInspector inspector;
};

struct QuarantineCopy {
  gateway::Envelope envelope;
  gateway::MessageState state;         // as handed on
  gateway::MessageState stored_state;  // as the spool keeps it
  std::string content;
};

struct Result {
  gateway::InspectionOutcome outcome;
  std::string content;     // the spooled content afterwards
  runtime::Duration took;  // virtual time of the inspection
  std::vector<std::string> scratch_left;
  std::vector<QuarantineCopy> copies;
  std::optional<gateway::InspectionMark> inspected;  // what the spooled content carries
  gateway::GatewayMetrics metrics;
  bool fault_fired = false;
};

// A disk fault for the inspection: the nth call of `op` after the message is spooled fails
// with EIO.
struct Fault {
  sim::DiskOp op;
  std::uint64_t nth = 1;
};

// One world: the gateway's node inspects `message`; the sandbox runs `behaviour` unless
// it is absent (nobody listens).
Result inspect(const std::string& config_extra, std::optional<std::string> behaviour,
               const std::string& message = sample,
               std::vector<std::string> recipients = {"b@corp.example"},
               std::optional<Fault> fault = std::nullopt) {
  sim::World world;
  auto& gateway_node = world.add_node("gateway", "10.0.0.1");
  auto& sandbox_node = world.add_node("sandbox", sandbox_address);
  world.network().set_default_link({.latency = 2ms});
  const gateway::Config config = gateway::parse_config(
                                     "hostname: gw.example.net\n"
                                     "listen: 10.0.0.1:25\n"
                                     "accepted_domains: [corp.example]\n"
                                     "spool_dir: /spool\n"
                                     "routes:\n"
                                     "  - domain: corp.example\n"
                                     "    next_hop: 10.0.0.9:25\n"
                                     "emulation:\n"
                                     "  url: http://" +
                                         sandbox_address +
                                         ":80\n"
                                         "  poll_interval: 5s\n" +
                                         config_extra,
                                     "/etc/gw.yaml")
                                     .value();
  if (behaviour) {
    auto parsed = emulator_mock::parse_behaviour(*behaviour, "sandbox.yaml");
    BOOST_REQUIRE_MESSAGE(parsed, parsed.error_text());
    sandbox_node.boot([&](runtime::Host& host) -> std::shared_ptr<void> {
      auto emulator = std::make_shared<emulator_mock::Emulator>(host, *parsed.behaviour);
      BOOST_REQUIRE(!emulator->start(runtime::Endpoint{sandbox_address, 80}));
      return std::shared_ptr<void>(emulator);
    });
  }

  Result result;
  std::optional<gateway::InspectionOutcome> outcome;
  std::shared_ptr<GatewaySide> side;
  std::optional<gateway::QueueId> original_id;
  std::uint64_t calls_before = 0;
  gateway_node.boot([&](runtime::Host& host) {
    side = std::make_shared<GatewaySide>(host, config);
    gateway::Envelope envelope;
    envelope.mail_from = "a@sender.example";
    envelope.recipients = recipients;
    auto writer = side->spool.begin(envelope);
    BOOST_REQUIRE(writer.has_value());
    BOOST_REQUIRE(!writer->append(message));
    auto committed = writer->commit();
    BOOST_REQUIRE(committed.has_value());
    original_id = committed->id();
    if (fault) {
      calls_before = gateway_node.disk().count(fault->op);
      gateway_node.disk().inject_fault(fault->op, fault->nth, std::errc::io_error);
    }
    auto run = [](runtime::Host& h, std::shared_ptr<GatewaySide> s, gateway::QueuedMessage queued,
                  std::optional<gateway::InspectionOutcome>& out,
                  runtime::Duration& took) -> asio::awaitable<void> {
      const auto started = h.clock().now();
      out = co_await s->inspector.inspect(queued);
      took = h.clock().now() - started;
    };
    asio::co_spawn(host.executor(), run(host, side, *committed, outcome, result.took),
                   asio::detached);
    return side;
  });
  BOOST_REQUIRE(world.run_until([&] { return outcome.has_value(); }, world.now() + 1h));
  result.outcome = *outcome;
  if (fault) {
    result.fault_fired = gateway_node.disk().count(fault->op) - calls_before >= fault->nth;
    gateway_node.disk().clear_faults();  // what follows only reads the outcome
  }

  auto ids = side->spool.list_messages();
  BOOST_REQUIRE(ids.has_value());
  BOOST_REQUIRE(ids->size() == 1u + result.outcome.companions.size());
  auto content = spool_test::read_content(side->spool, *original_id);
  BOOST_REQUIRE(content.has_value());
  result.content = std::move(*content);
  auto reader = side->spool.open_message(*original_id);
  BOOST_REQUIRE(reader.has_value());
  result.inspected = reader->inspected();
  result.metrics = side->metrics;
  for (const gateway::QueuedMessage& copy : result.outcome.companions) {
    auto copy_content = spool_test::read_content(side->spool, copy.id());
    auto stored = side->spool.load_state(copy.id());
    BOOST_REQUIRE(copy_content.has_value());
    BOOST_REQUIRE(stored.has_value() && stored->has_value());
    result.copies.push_back(
        {copy.envelope, copy.record.state, (*stored)->state, std::move(*copy_content)});
  }
  auto names = side->spool.storage().list(side->spool.messages_folder());
  BOOST_REQUIRE(names.has_value());
  for (const auto& name : *names) {
    if (name.starts_with(".")) {
      result.scratch_left.push_back(name);
    }
  }
  return result;
}

// The X-Threat-Emulation values at the top of the content, in order.
std::vector<std::string> verdict_fields(const std::string& content) {
  std::vector<std::string> values;
  const std::string header = content.substr(0, content.find("\r\n\r\n") + 2);
  std::size_t at = 0;
  while ((at = header.find("X-Threat-Emulation: ", at)) != std::string::npos) {
    const auto end = header.find("\r\n", at);
    values.push_back(header.substr(at + 20, end - at - 20));
    at = end;
  }
  return values;
}

bool ends_with(const std::string& text, const std::string& tail) {
  return text.ends_with(tail);
}

BOOST_AUTO_TEST_SUITE(inspection_message_inspector)

BOOST_AUTO_TEST_CASE(eicar_is_replaced_and_the_benign_part_stays_byte_identical) {
  const Result result = inspect("", "");
  BOOST_TEST((result.outcome.result == gateway::InspectionResult::ready));
  BOOST_TEST(!inspection_test::eicar_anywhere(result.content));
  BOOST_TEST(result.content.find(benign_part()) != std::string::npos);
  const auto fields = verdict_fields(result.content);
  BOOST_TEST_REQUIRE(fields.size() == 2u);  // the forged field is gone
  BOOST_TEST(fields[0].starts_with(
      "\"eicar.com\" sha256=275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f;"));
  BOOST_TEST(ends_with(fields[0], "; malicious; removed"));
  BOOST_TEST(fields[1].starts_with("\"figures.txt\" sha256="));
  BOOST_TEST(ends_with(fields[1], "; benign"));
  BOOST_TEST(result.content.find("File:   eicar.com") != std::string::npos);
  BOOST_TEST(result.content.find("\"x\" sha256=00") == std::string::npos);
  BOOST_TEST(result.scratch_left.empty());
  BOOST_TEST(result.content.find("See the attached files.") != std::string::npos);
  // The rewrite carries the decision, for a crash before the queue records it.
  BOOST_TEST_REQUIRE(result.inspected.has_value());
  BOOST_TEST((result.inspected->state == gateway::MessageState::ready));
  BOOST_TEST(result.metrics.files_malicious_total == 1u);
  BOOST_TEST(result.metrics.files_benign_total == 1u);
  BOOST_TEST(result.metrics.files_not_scanned_total == 0u);
  BOOST_TEST(result.metrics.messages_held_total == 0u);
  BOOST_TEST(result.metrics.quarantine_copies_total == 0u);
}

BOOST_AUTO_TEST_CASE(a_clean_message_is_byte_identical_apart_from_the_added_fields) {
  const std::string clean = crlf(
      "From: a@sender.example\nTo: b@corp.example\nSubject: hi\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n"
      "Hello.\n--b\nContent-Type: application/pdf; name=\"r.pdf\"\n"
      "Content-Transfer-Encoding: base64\n\n" +
      benign_body + "--b--\n");
  const Result result = inspect("", "", clean);
  const auto fields = verdict_fields(result.content);
  BOOST_TEST_REQUIRE(fields.size() == 1u);
  BOOST_TEST(ends_with(fields[0], "; benign"));
  const std::string added = "X-Threat-Emulation: " + fields[0] + "\r\n";
  BOOST_TEST(result.content == added + clean);
}

BOOST_AUTO_TEST_CASE(a_message_without_files_says_so) {
  const std::string text = crlf("From: a@sender.example\nTo: b@corp.example\nSubject: hi\n\nHi.\n");
  const Result result = inspect("", "", text);
  BOOST_TEST(result.content == "X-Threat-Emulation: no-files\r\n" + text);
}

BOOST_AUTO_TEST_CASE(with_the_sandbox_down_fail_open_delivers_and_fail_close_removes) {
  const Result open = inspect("  fail_mode: open\n", std::nullopt);
  auto fields = verdict_fields(open.content);
  BOOST_TEST_REQUIRE(fields.size() == 2u);
  BOOST_TEST(ends_with(fields[0], "; not-scanned (unreachable); delivered"));
  BOOST_TEST(inspection_test::eicar_anywhere(open.content));
  BOOST_TEST((open.outcome.result == gateway::InspectionResult::ready));

  const Result close = inspect("  fail_mode: close\n", std::nullopt);
  fields = verdict_fields(close.content);
  BOOST_TEST_REQUIRE(fields.size() == 2u);
  BOOST_TEST(ends_with(fields[0], "; not-scanned (unreachable); removed"));
  BOOST_TEST(ends_with(fields[1], "; not-scanned (unreachable); removed"));
  BOOST_TEST(!inspection_test::eicar_anywhere(close.content));
  BOOST_TEST(close.content.find(benign_part()) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_sandbox_slower_than_max_delay_times_out_at_the_deadline) {
  const Result result =
      inspect("  max_delay: 2m\n  fail_mode: close\n  subject_tag: \"[unscanned]\"\n",
              "default:\n  delay: 10m\n");
  const auto fields = verdict_fields(result.content);
  BOOST_TEST_REQUIRE(fields.size() == 2u);
  BOOST_TEST(ends_with(fields[0], "; not-scanned (timeout); removed"));
  BOOST_TEST(result.took >= 2min);
  BOOST_TEST(result.took < 2min + 1s);
  BOOST_TEST(result.content.find("\r\nSubject: [unscanned] figures\r\n") != std::string::npos);
  BOOST_TEST(result.content.find("\r\nSubject: figures\r\n") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(files_are_judged_at_once_not_one_after_the_other) {
  // Each emulation takes a minute; two files take one minute and a poll, not two.
  const Result result = inspect("",
                                "default:\n  delay: 1m\nrules:\n"
                                "  - match: {eicar: true}\n    verdict: malicious\n");
  BOOST_TEST(result.took >= 1min);
  BOOST_TEST(result.took < 1min + 10s);
  const auto fields = verdict_fields(result.content);
  BOOST_TEST_REQUIRE(fields.size() == 2u);
  BOOST_TEST(ends_with(fields[0], "; malicious; removed"));
  BOOST_TEST(ends_with(fields[1], "; benign"));
}

BOOST_AUTO_TEST_CASE(fail_close_with_quarantine_hold_holds_the_message_unchanged_but_marked) {
  const Result result = inspect("  fail_mode: close\nquarantine:\n  hold: true\n", std::nullopt);
  BOOST_TEST((result.outcome.result == gateway::InspectionResult::hold));
  BOOST_TEST(!result.outcome.reason.empty());
  BOOST_TEST(inspection_test::eicar_anywhere(result.content));
  const auto fields = verdict_fields(result.content);
  BOOST_TEST_REQUIRE(fields.size() == 2u);
  BOOST_TEST(ends_with(fields[0], "; not-scanned (unreachable); delivered"));
  BOOST_TEST_REQUIRE(result.inspected.has_value());
  BOOST_TEST((result.inspected->state == gateway::MessageState::held));
  BOOST_TEST(result.inspected->reason == result.outcome.reason);
  BOOST_TEST(result.metrics.files_not_scanned_total == 2u);
  BOOST_TEST(result.metrics.messages_held_total == 1u);
}

BOOST_AUTO_TEST_CASE(a_message_only_for_exempt_recipients_is_not_touched) {
  const Result result = inspect("  exempt_recipients: [Malware-Lab@corp.example]\n", "", sample,
                                {"malware-lab@corp.example"});
  BOOST_TEST(result.content == sample);
  BOOST_TEST((result.outcome.result == gateway::InspectionResult::ready));
}

BOOST_AUTO_TEST_CASE(the_original_of_a_stripped_message_goes_to_the_quarantine_address) {
  const Result result = inspect("quarantine:\n  address: Vault@corp.example\n", "");
  BOOST_TEST(!inspection_test::eicar_anywhere(result.content));
  BOOST_TEST_REQUIRE(result.copies.size() == 1u);
  BOOST_TEST(result.metrics.quarantine_copies_total == 1u);
  const QuarantineCopy& copy = result.copies.front();

  // From nobody, to the vault, and never inspected: it exists to keep what was removed.
  BOOST_TEST(copy.envelope.mail_from.empty());
  BOOST_TEST(copy.envelope.recipients == std::vector<std::string>{"Vault@corp.example"});
  BOOST_TEST((copy.state == gateway::MessageState::ready));
  BOOST_TEST((copy.stored_state == gateway::MessageState::ready));

  // The original, byte for byte, inside a message/rfc822 part.
  const std::string part_start = "Content-Type: message/rfc822\r\n";
  const auto at = copy.content.find(part_start);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  const auto body = copy.content.find("\r\n\r\n", at) + 4;
  BOOST_TEST(copy.content.compare(body, sample.size(), sample) == 0);
  BOOST_TEST(copy.content.substr(body + sample.size()).starts_with("\r\n--"));
  BOOST_TEST(copy.content.ends_with("--\r\n"));

  // A MIME reader finds the EICAR file inside the attached original.
  const auto analysis = inspection_test::analyse_text(copy.content);
  BOOST_TEST(inspection_test::gmime_shape(copy.content) == "M(L,R(M(L,L,L)))");
  bool found = false;
  for (const auto& file : analysis.files) {
    found =
        found || file.sha256 == "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
  }
  BOOST_TEST(found);

  // The note names the envelope and what happened to each file.
  BOOST_TEST(copy.content.find("\r\nTo: <Vault@corp.example>\r\n") != std::string::npos);
  BOOST_TEST(copy.content.find("Sender:      <a@sender.example>") != std::string::npos);
  BOOST_TEST(copy.content.find("Recipients:  <b@corp.example>") != std::string::npos);
  BOOST_TEST(copy.content.find("  \"eicar.com\" sha256=275a021b") != std::string::npos);
  BOOST_TEST(copy.content.find("; malicious; removed\r\n") != std::string::npos);
  BOOST_TEST(copy.content.find("; benign\r\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_copy_that_cannot_be_spooled_holds_the_message_unchanged) {
  // The first rename after the message is spooled is the copy's state record's.
  const Result result = inspect("quarantine:\n  address: vault@corp.example\n", "", sample,
                                {"b@corp.example"}, Fault{sim::DiskOp::rename});
  BOOST_TEST((result.outcome.result == gateway::InspectionResult::hold));
  BOOST_TEST(result.outcome.reason.find("quarantine.address") != std::string::npos);
  BOOST_TEST(result.content == sample);
  BOOST_TEST(result.copies.empty());
}

BOOST_AUTO_TEST_CASE(a_disk_failing_at_any_step_never_lets_eicar_through_nor_loses_it) {
  // Every disk operation of an inspection with a quarantine copy fails in turn. Whatever
  // breaks, the message is either held (the original intact, or already rewritten) or
  // goes on stripped with its copy; EICAR never goes on, and the original is never lost.
  const std::string quarantine = "quarantine:\n  address: vault@corp.example\n";
  const std::vector<sim::DiskOp> ops{
      sim::DiskOp::open,   sim::DiskOp::write,  sim::DiskOp::read,          sim::DiskOp::sync,
      sim::DiskOp::rename, sim::DiskOp::remove, sim::DiskOp::sync_directory};
  std::size_t faults = 0;
  for (const sim::DiskOp op : ops) {
    for (std::uint64_t nth = 1;; ++nth) {
      const Result result = inspect(quarantine, "", sample, {"b@corp.example"}, Fault{op, nth});
      if (!result.fault_fired) {
        break;
      }
      ++faults;
      const std::string where = std::string(sim::disk_op_name(op)) + " #" + std::to_string(nth);
      if (result.outcome.result == gateway::InspectionResult::hold && result.content == sample) {
        // Held as it came: the original is the message itself.
      } else if (result.outcome.result == gateway::InspectionResult::hold) {
        // Held after the rewrite went in (only its folder sync failed): the copy has the
        // original.
        BOOST_TEST(!inspection_test::eicar_anywhere(result.content), where);
        BOOST_TEST_REQUIRE(result.copies.size() == 1u, where);
        BOOST_TEST(result.copies.front().content.find(sample) != std::string::npos, where);
      } else {
        BOOST_TEST(!inspection_test::eicar_anywhere(result.content), where);
        BOOST_TEST_REQUIRE(result.copies.size() == 1u, where);
        BOOST_TEST(result.copies.front().content.find(sample) != std::string::npos, where);
      }
      BOOST_TEST_REQUIRE(nth < 100u, where);
    }
  }
  BOOST_TEST_MESSAGE(faults << " disk faults tried");
  BOOST_TEST(faults > 10u);
}

BOOST_AUTO_TEST_CASE(nothing_goes_to_quarantine_when_nothing_was_removed) {
  const std::string quarantine = "quarantine:\n  address: vault@corp.example\n";
  // Every file benign.
  BOOST_TEST(inspect(quarantine, "rules: []\n").copies.empty());
  // Not scanned but delivered (fail open): the recipient has the file as it came.
  BOOST_TEST(inspect("  fail_mode: open\n" + quarantine, std::nullopt).copies.empty());
  // Not scanned and withheld (fail close): the copy keeps what the recipient did not get.
  BOOST_TEST(inspect("  fail_mode: close\n" + quarantine, std::nullopt).copies.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
