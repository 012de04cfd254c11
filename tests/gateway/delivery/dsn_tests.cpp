// Delivery status notifications: the RFC 3464 report, read back with a small MIME reader,
// and the notifier that spools one for the queue.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/delivery/dsn.hpp"
#include "gateway/delivery/dsn_notifier.hpp"
#include "gateway/queue/inspector.hpp"
#include "gateway/queue/queue_manager.hpp"
#include "gateway/queue/retry_policy.hpp"
#include "gateway/smtp/ascii.hpp"
#include "tests/gateway/delivery/delivery_fixture.hpp"
#include "tests/gateway/spool/spool_fixture.hpp"

namespace {

using namespace delivery_test;

// One MIME entity: its header fields (names in lower case, folded lines joined) and body.
struct Entity {
  std::map<std::string, std::string> fields;
  std::vector<std::string> field_order;
  std::string body;
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = gateway::smtp::ascii::to_lower(c);
  }
  return out;
}

Entity parse_entity(std::string_view text) {
  Entity entity;
  const std::size_t split = text.starts_with("\r\n") ? 0 : text.find("\r\n\r\n");
  BOOST_TEST_REQUIRE(split != std::string_view::npos);
  const std::string_view header = text.substr(0, split);
  entity.body = std::string(text.substr(split == 0 ? 2 : split + 4));

  // Unfold (RFC 5322 2.2.3), then split each field at its colon.
  std::string last;
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find("\r\n", start);
    end = end == std::string_view::npos ? header.size() : end;
    const std::string_view line = header.substr(start, end - start);
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      entity.fields[last] += " " + std::string(gateway::smtp::ascii::trim_wsp(line));
    } else {
      const std::size_t colon = line.find(':');
      BOOST_TEST_REQUIRE(colon != std::string_view::npos);
      last = lower(line.substr(0, colon));
      entity.fields[last] = std::string(gateway::smtp::ascii::trim_wsp(line.substr(colon + 1)));
      entity.field_order.push_back(last);
    }
    start = end + 2;
  }
  return entity;
}

std::string boundary_of(const Entity& entity) {
  const std::string& type = entity.fields.at("content-type");
  const std::size_t at = type.find("boundary=\"");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  const std::size_t begin = at + std::string_view("boundary=\"").size();
  return type.substr(begin, type.find('"', begin) - begin);
}

// The body parts of a multipart entity (RFC 2046 5.1.1); the CRLF before each delimiter
// belongs to the delimiter.
std::vector<Entity> parse_parts(const Entity& entity) {
  const std::string delimiter = "\r\n--" + boundary_of(entity);
  const std::string body = "\r\n" + entity.body;
  std::vector<Entity> parts;
  std::size_t at = body.find(delimiter);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  for (;;) {
    const std::size_t start = at + delimiter.size();
    if (body.compare(start, 2, "--") == 0) {
      BOOST_TEST(body.substr(start + 2) == "\r\n");
      return parts;
    }
    BOOST_TEST_REQUIRE(body.compare(start, 2, "\r\n") == 0);
    const std::size_t next = body.find(delimiter, start);
    BOOST_TEST_REQUIRE(next != std::string::npos);
    parts.push_back(parse_entity(body.substr(start + 2, next - start - 2)));
    at = next;
  }
}

// The groups of fields of a message/delivery-status body, each a map by lower-case name.
std::vector<std::map<std::string, std::string>> status_groups(const std::string& body) {
  std::vector<std::map<std::string, std::string>> groups(1);
  std::size_t start = 0;
  while (start < body.size()) {
    const std::size_t end = body.find("\r\n", start);
    const std::string line = body.substr(start, end - start);
    start = end + 2;
    if (line.empty()) {
      groups.emplace_back();
      continue;
    }
    const std::size_t colon = line.find(':');
    BOOST_TEST_REQUIRE(colon != std::string::npos);
    groups.back()[lower(line.substr(0, colon))] =
        std::string(gateway::smtp::ascii::trim_wsp(line.substr(colon + 1)));
  }
  while (!groups.empty() && groups.back().empty()) {
    groups.pop_back();
  }
  return groups;
}

const std::string original_headers =
    "From: alice@source.example\r\nTo: bob@corp.example\r\nSubject: quarterly\r\n";

gateway::DsnRequest sample_request() {
  gateway::DsnRequest request;
  request.reporting_mta = "gw.example.net";
  request.original = spool_test::sample_envelope();
  request.original_queue_id = "AAAAAAAAAAAA";
  request.recipients = {{"bob@corp.example", "550 5.1.1 no such user"},
                        {"carol@corp.example", "4.4.1 connect with 10.0.0.2:25: refused"}};
  request.original_headers = original_headers;
  request.now = runtime::WallTime(std::chrono::seconds(1767225600)) + 90min;
  return request;
}

// Bounces bob@corp.example with "550 5.1.1 no such user" through a DsnNotifier on `w`;
// returns the notifications it handed to the queue.
std::vector<gateway::QueuedMessage> bounce_bob(DeliveryWorld& w) {
  std::vector<gateway::QueuedMessage> committed;
  gateway::DsnNotifier notifier(w.gateway, w.config, *w.spool,
                                [&](gateway::QueuedMessage dsn) { committed.push_back(dsn); });
  gateway::QueuedMessage original = w.spool_message({"bob@corp.example"});
  original.record.recipients[0].reply = "550 5.1.1 no such user";
  const std::vector<std::size_t> bounced = {0};
  notifier.notify(original, bounced);
  return committed;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dsn)

BOOST_AUTO_TEST_CASE(a_dsn_is_a_multipart_report_with_a_status_group_per_recipient) {
  runtime::Random random(7);
  const auto dsn = gateway::build_dsn(sample_request(), random);
  BOOST_TEST_REQUIRE(dsn.has_value());

  // The envelope: from the null reverse-path to the original sender.
  BOOST_TEST(dsn->envelope.mail_from.empty());
  BOOST_TEST(dsn->envelope.recipients == std::vector<std::string>{"alice@source.example"});

  // The header.
  const Entity message = parse_entity(dsn->content);
  BOOST_TEST(message.fields.at("from") == "Mail Delivery System <MAILER-DAEMON@gw.example.net>");
  BOOST_TEST(message.fields.at("to") == "<alice@source.example>");
  BOOST_TEST(message.fields.at("date") == "Thu, 01 Jan 2026 01:30:00 +0000");
  BOOST_TEST(message.fields.at("auto-submitted") == "auto-replied");
  BOOST_TEST(message.fields.at("mime-version") == "1.0");
  BOOST_TEST(message.fields.at("message-id").ends_with("@gw.example.net>"));
  BOOST_TEST(message.fields.at("content-type")
                 .starts_with("multipart/report; report-type=delivery-status; boundary=\""));

  // Three parts: the note, the status, the original header section.
  const std::vector<Entity> parts = parse_parts(message);
  BOOST_TEST_REQUIRE(parts.size() == 3u);
  BOOST_TEST(parts[0].fields.at("content-type") == "text/plain; charset=us-ascii");
  BOOST_TEST(parts[0].body.find("<bob@corp.example>: 550 5.1.1 no such user") != std::string::npos);
  BOOST_TEST(parts[1].fields.at("content-type") == "message/delivery-status");
  BOOST_TEST(parts[2].fields.at("content-type") == "text/rfc822-headers");
  BOOST_TEST(parts[2].body == original_headers);

  // The status: per-message fields, then one group per recipient.
  const auto groups = status_groups(parts[1].body);
  BOOST_TEST_REQUIRE(groups.size() == 3u);
  BOOST_TEST(groups[0].at("reporting-mta") == "dns; gw.example.net");
  BOOST_TEST(groups[0].at("arrival-date") == "Thu, 01 Jan 2026 00:00:00 +0000");
  BOOST_TEST(groups[1].at("final-recipient") == "rfc822; bob@corp.example");
  BOOST_TEST(groups[1].at("action") == "failed");
  BOOST_TEST(groups[1].at("status") == "5.1.1");
  BOOST_TEST(groups[1].at("diagnostic-code") == "smtp; 550 5.1.1 no such user");
  BOOST_TEST(groups[2].at("final-recipient") == "rfc822; carol@corp.example");
  BOOST_TEST(groups[2].at("status") == "4.4.1");
  // A failure the next hop did not reply with has no SMTP diagnostic.
  BOOST_TEST(groups[2].count("diagnostic-code") == 0u);
}

BOOST_AUTO_TEST_CASE(no_dsn_is_built_for_a_message_from_the_null_sender) {
  gateway::DsnRequest request = sample_request();
  request.original.mail_from.clear();
  runtime::Random random(7);
  BOOST_TEST(!gateway::build_dsn(request, random).has_value());
}

BOOST_AUTO_TEST_CASE(boundaries_and_ids_repeat_for_a_seed_and_differ_across_seeds) {
  runtime::Random first(7);
  runtime::Random again(7);
  runtime::Random other(8);
  const auto a = gateway::build_dsn(sample_request(), first);
  const auto b = gateway::build_dsn(sample_request(), again);
  const auto c = gateway::build_dsn(sample_request(), other);
  BOOST_TEST(a->content == b->content);
  BOOST_TEST(boundary_of(parse_entity(a->content)) != boundary_of(parse_entity(c->content)));
  BOOST_TEST(parse_entity(a->content).fields.at("message-id") !=
             parse_entity(c->content).fields.at("message-id"));
}

BOOST_AUTO_TEST_CASE(peer_text_cannot_break_a_field_line) {
  gateway::DsnRequest request = sample_request();
  request.recipients = {{"bob@corp.example", "550 5.1.1 bad\r\nX-Injected: yes"}};
  runtime::Random random(7);
  const auto dsn = gateway::build_dsn(request, random);
  BOOST_TEST(dsn->content.find("\r\nX-Injected") == std::string::npos);
  const auto groups = status_groups(parse_parts(parse_entity(dsn->content))[1].body);
  BOOST_TEST(groups[1].at("diagnostic-code") == "smtp; 550 5.1.1 bad??X-Injected: yes");
}

BOOST_AUTO_TEST_CASE(the_status_comes_from_the_kept_reply) {
  struct Case {
    const char* reply;
    const char* status;
  };
  const std::vector<Case> cases = {
      {"550 5.1.1 no such user", "5.1.1"},
      {"552 5.3.4 too big", "5.3.4"},
      {"550 no enhanced code", "5.0.0"},
      {"451 4.3.0 later", "4.3.0"},
      {"451 temporary", "4.0.0"},
      {"550 4.1.1 class mismatch", "5.0.0"},
      {"4.4.2 greeting with 10.0.0.2:25: timed out after 1000 ms", "4.4.2"},
      {"5.3.4 mail with 10.0.0.2:25: message too big", "5.3.4"},
      {"", "5.0.0"},
      {"garbage", "5.0.0"},
  };
  for (const Case& c : cases) {
    BOOST_TEST(gateway::dsn_status(c.reply) == c.status, c.reply);
  }
}

BOOST_AUTO_TEST_CASE(the_header_section_is_read_up_to_the_empty_line_in_whole_lines) {
  struct Case {
    const char* name;
    std::string content;
    std::string headers;
  };
  const std::string big_field = "X-Big: " + std::string(70000, 'b') + "\r\n";
  const std::vector<Case> cases = {
      {"header and body", "A: 1\r\nB: 2\r\n\r\nbody\r\n", "A: 1\r\nB: 2\r\n"},
      {"no body", "A: 1\r\nB: 2\r\n", "A: 1\r\nB: 2\r\n"},
      {"no header", "\r\nbody\r\n", ""},
      {"oversized", "A: 1\r\n" + big_field + "\r\nbody\r\n", "A: 1\r\n"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      spool_test::SpoolNode node;
      auto message =
          spool_test::spool_message(*node.spool, spool_test::sample_envelope(), c.content, 4096);
      BOOST_TEST_REQUIRE(message.has_value());
      auto reader = node.spool->open_message(message->id());
      BOOST_TEST_REQUIRE(reader.has_value());
      auto headers = gateway::read_header_section(*reader);
      BOOST_TEST_REQUIRE(headers.has_value());
      BOOST_TEST(*headers == c.headers);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_notifier_spools_a_dsn_and_hands_it_to_the_queue) {
  DeliveryWorld w;
  std::vector<gateway::QueuedMessage> committed;
  gateway::DsnNotifier notifier(w.gateway, w.config, *w.spool,
                                [&](gateway::QueuedMessage dsn) { committed.push_back(dsn); });
  gateway::QueuedMessage original = w.spool_message({"bob@corp.example", "carol@corp.example"});
  original.record.recipients[1].state = gateway::RecipientState::bounced;
  original.record.recipients[1].reply = "550 5.1.1 no such user";

  const std::vector<std::size_t> bounced = {1};
  notifier.notify(original, bounced);

  BOOST_TEST_REQUIRE(committed.size() == 1u);
  const gateway::QueuedMessage& dsn = committed.front();
  BOOST_TEST(dsn.envelope.null_sender());
  BOOST_TEST(dsn.envelope.recipients == std::vector<std::string>{"alice@source.example"});
  BOOST_TEST(w.spool->contains(dsn.id()));
  auto content = spool_test::read_content(*w.spool, dsn.id());
  BOOST_TEST_REQUIRE(content.has_value());
  const auto parts = parse_parts(parse_entity(*content));
  BOOST_TEST_REQUIRE(parts.size() == 3u);
  BOOST_TEST(parts[2].body ==
             "From: alice@source.example\r\nTo: bob@corp.example\r\n"
             "Subject: quarterly\r\n");
  const auto groups = status_groups(parts[1].body);
  BOOST_TEST_REQUIRE(groups.size() == 2u);
  BOOST_TEST(groups[1].at("final-recipient") == "rfc822; carol@corp.example");
  BOOST_TEST(w.count_events("delivery.dsn") == 1u);
}

BOOST_AUTO_TEST_CASE(a_dsn_without_a_route_to_the_sender_is_held_durably) {
  DeliveryWorld w;
  w.config.routes = {make_route("corp.example", sink_address, TlsPolicy::none)};
  const std::vector<gateway::QueuedMessage> committed = bounce_bob(w);

  BOOST_TEST_REQUIRE(committed.size() == 1u);
  BOOST_TEST((committed.front().record.state == gateway::MessageState::held));
  BOOST_TEST(committed.front().record.last_error.find("source.example") != std::string::npos);
  // The hold survives a restart: it is in the state record on disk.
  auto stored = w.spool->load_state(committed.front().id());
  BOOST_TEST_REQUIRE(stored.has_value());
  BOOST_TEST_REQUIRE(stored->has_value());
  BOOST_TEST(((*stored)->state == gateway::MessageState::held));
  BOOST_TEST(w.count_events("delivery.dsn_no_route") == 1u);
}

BOOST_AUTO_TEST_CASE(the_notifier_sends_nothing_for_a_null_sender) {
  DeliveryWorld w;
  std::vector<gateway::QueuedMessage> committed;
  gateway::DsnNotifier notifier(w.gateway, w.config, *w.spool,
                                [&](gateway::QueuedMessage dsn) { committed.push_back(dsn); });
  gateway::QueuedMessage original =
      w.spool_envelope(w.envelope({"bob@corp.example"}, ""), spool_test::sample_content());
  original.record.recipients[0].state = gateway::RecipientState::bounced;

  const std::vector<std::size_t> bounced = {0};
  notifier.notify(original, bounced);

  BOOST_TEST(committed.empty());
  BOOST_TEST(w.spool->list_messages()->size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_spooled_dsn_is_delivered_from_the_null_reverse_path) {
  DeliveryWorld w;
  w.start_sink();
  std::vector<gateway::QueuedMessage> committed = bounce_bob(w);
  BOOST_TEST_REQUIRE(committed.size() == 1u);

  const Delivered delivered = w.deliver(committed.front());
  BOOST_TEST(delivered.recipient(0).result == DeliveryResult::delivered);
  BOOST_TEST_REQUIRE(w.record->messages.size() == 1u);
  BOOST_TEST(w.record->messages.front().mail_from.empty());
  BOOST_TEST(w.record->commands_named("MAIL").front().line.starts_with("MAIL FROM:<>"));
}

BOOST_AUTO_TEST_CASE(a_bounce_reaches_the_sender_through_the_queue) {
  DeliveryWorld w;
  peers::SmtpSinkOptions options;
  options.rules = {peers::reply_to_recipient("gone@corp.example",
                                             gateway::smtp::Reply{550, "5.1.1", {"no such user"}})};
  w.start_sink(options);

  // The queue wired as the gateway wires it: the notifier commits to the manager.
  gateway::PassThroughInspector inspector;
  std::optional<gateway::QueueManager> manager;
  gateway::DsnNotifier notifier(w.gateway, w.config, *w.spool, [&](gateway::QueuedMessage dsn) {
    manager->commit(std::move(dsn));
  });
  manager.emplace(w.gateway, *w.spool, inspector, w.make_deliverer(), notifier,
                  gateway::RetryPolicy());
  BOOST_TEST_REQUIRE(!manager->start());
  manager->commit(w.spool_message({"bob@corp.example", "gone@corp.example"}));

  BOOST_TEST_REQUIRE(w.world.run_until([&] { return manager->size() == 0; }, SimTime(1h)));
  BOOST_TEST_REQUIRE(w.record->messages.size() == 2u);
  const peers::SinkMessage& original = w.record->messages[0];
  BOOST_TEST(original.recipients == std::vector<std::string>{"bob@corp.example"});
  const peers::SinkMessage& bounce = w.record->messages[1];
  BOOST_TEST(bounce.mail_from.empty());
  BOOST_TEST(bounce.recipients == std::vector<std::string>{"alice@source.example"});
  const auto groups = status_groups(parse_parts(parse_entity(bounce.content))[1].body);
  BOOST_TEST_REQUIRE(groups.size() == 2u);
  BOOST_TEST(groups[1].at("final-recipient") == "rfc822; gone@corp.example");
  BOOST_TEST(groups[1].at("diagnostic-code") == "smtp; 550 5.1.1 no such user");

  // Let the queue's coroutines end before the manager goes.
  manager->stop();
  w.world.run_until_idle(w.world.now() + SimTime(1h));
  BOOST_TEST(!manager->busy());
}

BOOST_AUTO_TEST_SUITE_END()
