// STARTTLS towards the next hop under each route policy: may, encrypt and verify, with
// certificates checked against the world's virtual wall clock.
#include <chrono>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "sim/peers/sink_script.hpp"
#include "tests/gateway/delivery/delivery_fixture.hpp"

namespace {

using namespace delivery_test;
using gateway::smtp::Reply;
using peers::SinkStage;

// The world's wall clock at virtual time zero (sim::WorldOptions' default).
const runtime::WallTime world_start = runtime::WallTime(std::chrono::seconds(1767225600));

const Pki& valid_pki() {
  static const Pki pki = make_pki(world_start - 24h, world_start + 24h * 30);
  return pki;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Whether every command of the transaction crossed under TLS.
bool transaction_encrypted(const peers::SinkRecord& record) {
  for (const char* verb : {"MAIL", "RCPT", "DATA", "."}) {
    for (const auto& command : record.commands_named(verb)) {
      if (!command.tls) {
        return false;
      }
    }
  }
  return !record.commands_named("MAIL").empty();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(delivery_client)

BOOST_AUTO_TEST_CASE(may_encrypts_when_starttls_is_offered_and_delivers_plainly_when_not) {
  for (bool offered : {true, false}) {
    BOOST_TEST_CONTEXT("offered " << offered) {
      DeliveryWorld w;
      w.config = make_config(TlsPolicy::may);
      peers::SmtpSinkOptions options;
      if (offered) {
        options.tls = server_context(valid_pki().server);
      }
      w.start_sink(options);
      gateway::QueuedMessage message = w.spool_message({"bob@corp.example"});
      const Delivered delivered = w.deliver(message);

      BOOST_TEST(delivered.recipient(0).result == DeliveryResult::delivered);
      BOOST_TEST_REQUIRE(w.record->messages.size() == 1u);
      BOOST_TEST(w.record->messages.front().tls == offered);
      BOOST_TEST(w.record->tls_handshakes == (offered ? 1u : 0u));
      BOOST_TEST(w.record->connections == 1u);
      // After the handshake the client greets again (RFC 3207 4.2).
      BOOST_TEST(w.record->commands_named("EHLO").size() == (offered ? 2u : 1u));
      BOOST_TEST(w.metrics.tls_handshakes_outbound_total == (offered ? 1u : 0u));
      BOOST_TEST(w.metrics.tls_handshakes_outbound_failed_total == 0u);
      BOOST_TEST(w.metrics.delivery_seconds.count() == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(may_reconnects_in_plaintext_after_a_failed_handshake) {
  DeliveryWorld w;
  w.config = make_config(TlsPolicy::may);
  peers::SmtpSinkOptions options;
  options.tls = server_context(valid_pki().server);
  options.rules = {peers::drop_at(SinkStage::tls_handshake)};
  w.start_sink(options);
  gateway::QueuedMessage message = w.spool_message({"bob@corp.example"});
  const Delivered delivered = w.deliver(message);

  BOOST_TEST(delivered.recipient(0).result == DeliveryResult::delivered);
  BOOST_TEST(w.record->connections == 2u);
  BOOST_TEST(w.record->commands_named("STARTTLS").size() == 1u);
  BOOST_TEST_REQUIRE(w.record->messages.size() == 1u);
  BOOST_TEST(!w.record->messages.front().tls);
  BOOST_TEST(w.count_events("delivery.tls_fallback") == 1u);
  BOOST_TEST(w.metrics.tls_handshakes_outbound_total == 0u);
  BOOST_TEST(w.metrics.tls_handshakes_outbound_failed_total == 1u);
}

BOOST_AUTO_TEST_CASE(encrypt_defers_without_tls_and_never_sends_mail_in_plaintext) {
  struct Case {
    const char* name;
    bool offered;
    std::vector<peers::SinkRule> rules;
    std::string reply_prefix;
  };
  const std::vector<Case> cases = {
      {"not offered", false, {}, "4.7.4 starttls with 10.0.0.2:25: STARTTLS not offered"},
      {"refused",
       true,
       {peers::reply_at(SinkStage::starttls, Reply{454, "4.7.0", {"not now"}})},
       "454 4.7.0 not now"},
      {"handshake failed",
       true,
       {peers::drop_at(SinkStage::tls_handshake)},
       "4.7.5 starttls with 10.0.0.2:25: "},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      DeliveryWorld w;
      w.config = make_config(TlsPolicy::encrypt);
      peers::SmtpSinkOptions options;
      if (c.offered) {
        options.tls = server_context(valid_pki().server);
      }
      options.rules = c.rules;
      w.start_sink(options);
      gateway::QueuedMessage message = w.spool_message({"bob@corp.example"});
      const Delivered delivered = w.deliver(message);

      BOOST_TEST(delivered.recipient(0).result == DeliveryResult::deferred);
      BOOST_TEST(delivered.recipient(0).reply.starts_with(c.reply_prefix),
                 delivered.recipient(0).reply);
      BOOST_TEST(w.record->commands_named("MAIL").empty());
      BOOST_TEST(w.record->connections == 1u);
      BOOST_TEST(w.record->messages.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(encrypt_carries_the_whole_transaction_under_tls) {
  DeliveryWorld w;
  w.config = make_config(TlsPolicy::encrypt);
  peers::SmtpSinkOptions options;
  options.tls = server_context(valid_pki().server);
  w.start_sink(options);
  gateway::QueuedMessage message = w.spool_message({"bob@corp.example"});
  const Delivered delivered = w.deliver(message);

  BOOST_TEST(delivered.recipient(0).result == DeliveryResult::delivered);
  BOOST_TEST(transaction_encrypted(*w.record));
  BOOST_TEST_REQUIRE(w.record->messages.size() == 1u);
  BOOST_TEST(w.record->messages.front().content == spool_test::sample_content());
}

BOOST_AUTO_TEST_CASE(verify_delivers_only_to_a_certificate_it_can_check) {
  struct Case {
    const char* name;
    std::string tls_name;
    bool other_authority;     // the route trusts another authority than the one that signed
    runtime::Duration until;  // the certificate's lifetime after the world's start
    runtime::Duration wait;   // virtual time passed before the delivery
    bool delivered;
    std::string reason;  // part of the deferral reply
  };
  const std::vector<Case> cases = {
      {"right authority and name", sink_tls_name, false, 24h * 30, 0s, true, ""},
      {"wrong name", "other.corp.example", false, 24h * 30, 0s, false, "mismatch"},
      {"expired", sink_tls_name, false, 1h, 2h, false, "expired"},
      {"other authority", sink_tls_name, true, 24h * 30, 0s, false, "issuer"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      DeliveryWorld w;
      const Pki pki = make_pki(world_start - 24h, world_start + c.until);
      const Pki other = c.other_authority ? make_pki(world_start - 24h, world_start + 24h) : pki;
      w.config = make_config(TlsPolicy::verify);
      w.config.routes.front().tls_name = c.tls_name;
      w.ca_files[ca_path] = other.authority.certificate_pem;
      peers::SmtpSinkOptions options;
      options.tls = server_context(pki.server);
      w.start_sink(options);
      w.world.run_for(c.wait);
      gateway::QueuedMessage message = w.spool_message({"bob@corp.example"});
      const Delivered delivered = w.deliver(message);

      if (c.delivered) {
        BOOST_TEST(delivered.recipient(0).result == DeliveryResult::delivered);
        BOOST_TEST(transaction_encrypted(*w.record));
      } else {
        const std::string& reply = delivered.recipient(0).reply;
        BOOST_TEST(delivered.recipient(0).result == DeliveryResult::deferred);
        BOOST_TEST(reply.starts_with("4.7.5 starttls with 10.0.0.2:25: "), reply);
        BOOST_TEST(contains(reply, c.reason), reply);
        BOOST_TEST(w.record->commands_named("MAIL").empty());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(bytes_sent_before_the_handshake_are_not_read_as_replies) {
  // Read after the handshake, the injected reply would answer the second EHLO with 221,
  // and the session would end there.
  for (TlsPolicy policy : {TlsPolicy::may, TlsPolicy::encrypt}) {
    BOOST_TEST_CONTEXT(gateway::to_string(policy)) {
      DeliveryWorld w;
      w.config = make_config(policy);
      peers::SmtpSinkOptions options;
      options.tls = server_context(valid_pki().server);
      options.after_starttls_reply = "221 2.0.0 injected\r\n250 2.0.0 injected\r\n";
      w.start_sink(options);
      gateway::QueuedMessage message = w.spool_message({"bob@corp.example"});
      const Delivered delivered = w.deliver(message);

      BOOST_TEST(delivered.recipient(0).result == DeliveryResult::delivered);
      BOOST_TEST(delivered.recipient(0).reply == "250 2.0.0 queued as 1");
      BOOST_TEST(transaction_encrypted(*w.record));
    }
  }
}

BOOST_AUTO_TEST_CASE(attempts_and_results_are_recorded_as_plaintext_events) {
  DeliveryWorld w;
  w.config = make_config(TlsPolicy::encrypt);
  peers::SmtpSinkOptions options;
  options.tls = server_context(valid_pki().server);
  options.rules = {
      peers::reply_to_recipient("gone@corp.example", Reply{550, "5.1.1", {"no such user"}})};
  w.start_sink(options);
  gateway::QueuedMessage message = w.spool_message({"bob@corp.example", "gone@corp.example"});
  w.deliver(message);

  const std::string queue_id = "\"queue_id\": \"" + message.id().text() + "\"";
  const auto attempts = w.event_lines("delivery.attempt");
  BOOST_TEST_REQUIRE(attempts.size() == 1u);
  BOOST_TEST(contains(attempts.front(), queue_id));
  BOOST_TEST(contains(attempts.front(), "\"hop\": \"10.0.0.2:25\""));
  BOOST_TEST(contains(attempts.front(), "\"tls_policy\": \"encrypt\""));

  const auto results = w.event_lines("delivery.result");
  BOOST_TEST_REQUIRE(results.size() == 2u);
  BOOST_TEST(contains(results[0], queue_id));
  BOOST_TEST(contains(results[0], "\"recipient\": \"bob@corp.example\""));
  BOOST_TEST(contains(results[0], "\"result\": \"delivered\""));
  BOOST_TEST(contains(results[0], "\"reply\": \"250 2.0.0 queued as 1\""));
  BOOST_TEST(contains(results[0], "\"tls\": true"));
  BOOST_TEST(contains(results[1], "\"recipient\": \"gone@corp.example\""));
  BOOST_TEST(contains(results[1], "\"result\": \"bounced\""));
  BOOST_TEST(contains(results[1], "\"reply\": \"550 5.1.1 no such user\""));
}

BOOST_AUTO_TEST_SUITE_END()
