// Next hops by recipient domain: exact and case-insensitive first, then "*"; and one
// session per next hop when a message's recipients go different ways.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/delivery/router.hpp"
#include "tests/gateway/delivery/delivery_fixture.hpp"

namespace {

using namespace delivery_test;

gateway::Config two_route_config(bool with_wildcard) {
  gateway::Config config = make_config();
  config.routes = {make_route("corp.example", sink_address, TlsPolicy::none)};
  if (with_wildcard) {
    config.routes.push_back(make_route("*", second_sink_address, TlsPolicy::none));
  }
  return config;
}

gateway::QueueRecord record_for(const std::vector<std::string>& addresses) {
  gateway::QueueRecord record(gateway::QueueId::parse("AAAAAAAAAAAA").value());
  for (const std::string& address : addresses) {
    gateway::RecipientStatus status;
    status.address = address;
    record.recipients.push_back(status);
  }
  return record;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(delivery_router)

BOOST_AUTO_TEST_CASE(routes_match_the_exact_domain_case_insensitively_then_the_wildcard) {
  struct Case {
    const char* address;
    bool with_wildcard;
    const char* next_hop;  // nullptr: no route
  };
  const std::vector<Case> cases = {
      {"bob@corp.example", true, "10.0.0.2:25"},      {"bob@CORP.Example", true, "10.0.0.2:25"},
      {"bob@sub.corp.example", true, "10.0.0.3:25"},  // no subdomain matching
      {"bob@other.example", true, "10.0.0.3:25"},     {"bob@other.example", false, nullptr},
      {"bob@CORP.EXAMPLE", false, "10.0.0.2:25"},     {"Postmaster", true, "10.0.0.3:25"},
      {"\"a@b\"@corp.example", false, "10.0.0.2:25"},  // the domain follows the last "@"
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.address << ", wildcard " << c.with_wildcard) {
      const gateway::Config config = two_route_config(c.with_wildcard);
      const gateway::Router router(config);
      const gateway::Route* route = router.route_for(c.address);
      if (c.next_hop == nullptr) {
        BOOST_TEST(route == nullptr);
      } else {
        BOOST_TEST_REQUIRE(route != nullptr);
        BOOST_TEST(route->next_hop.to_string() == c.next_hop);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(pending_recipients_are_grouped_by_next_hop_in_first_seen_order) {
  gateway::Config config = two_route_config(true);
  // A second domain to the same hop and TLS settings shares its session.
  config.routes.push_back(make_route("lab.corp.example", sink_address, TlsPolicy::none));
  // The same hop under another TLS policy does not.
  config.routes.push_back(make_route("secure.example", sink_address, TlsPolicy::may));
  const gateway::Router router(config);

  gateway::QueueRecord record =
      record_for({"a@other.example", "b@corp.example", "c@lab.corp.example", "d@corp.example",
                  "e@secure.example", "f@other.example"});
  record.recipients[3].state = gateway::RecipientState::delivered;
  const std::vector<gateway::RouteGroup> groups = router.group(record);

  BOOST_TEST_REQUIRE(groups.size() == 3u);
  BOOST_TEST(groups[0].route->domain == "*");
  BOOST_TEST(groups[0].recipients == (std::vector<std::size_t>{0, 5}));
  BOOST_TEST(groups[1].route->domain == "corp.example");
  BOOST_TEST(groups[1].recipients == (std::vector<std::size_t>{1, 2}));
  BOOST_TEST(groups[2].route->domain == "secure.example");
  BOOST_TEST(groups[2].recipients == (std::vector<std::size_t>{4}));
}

BOOST_AUTO_TEST_CASE(recipients_for_different_hops_are_delivered_in_separate_sessions) {
  DeliveryWorld w;
  sim::Node& other = w.world.add_node("mx2", second_sink_address);
  auto other_record = std::make_shared<peers::SinkRecord>();
  w.start_sink();
  peers::SmtpSinkOptions other_options;
  other_options.record = other_record;
  w.start_sink(other_options, &other);
  w.config = two_route_config(true);

  gateway::QueuedMessage message =
      w.spool_message({"a@corp.example", "b@other.example", "c@CORP.example"});
  const Delivered delivered = w.deliver(message);

  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(delivered.recipient(i).result == DeliveryResult::delivered);
  }
  BOOST_TEST_REQUIRE(w.record->messages.size() == 1u);
  BOOST_TEST(w.record->messages.front().recipients ==
             (std::vector<std::string>{"a@corp.example", "c@CORP.example"}));
  BOOST_TEST_REQUIRE(other_record->messages.size() == 1u);
  BOOST_TEST(other_record->messages.front().recipients ==
             std::vector<std::string>{"b@other.example"});
  BOOST_TEST(w.record->connections == 1u);
  BOOST_TEST(other_record->connections == 1u);
  BOOST_TEST(w.count_events("delivery.attempt") == 2u);
}

BOOST_AUTO_TEST_CASE(the_sessions_of_one_message_to_several_hops_run_at_once) {
  // Each hop holds its session for twenty seconds at the end of DATA.
  DeliveryWorld w;
  sim::Node& other = w.world.add_node("mx2", second_sink_address);
  auto other_record = std::make_shared<peers::SinkRecord>();
  peers::SmtpSinkOptions slow;
  slow.rules = {peers::delay_at(peers::SinkStage::dot, 20s)};
  w.start_sink(slow);
  slow.record = other_record;
  w.start_sink(slow, &other);
  w.config = two_route_config(true);

  gateway::QueuedMessage message = w.spool_message({"a@corp.example", "b@other.example"});
  const Delivered delivered = w.deliver(message);

  BOOST_TEST(delivered.recipient(0).result == DeliveryResult::delivered);
  BOOST_TEST(delivered.recipient(1).result == DeliveryResult::delivered);
  BOOST_TEST_REQUIRE(w.record->messages.size() == 1u);
  BOOST_TEST_REQUIRE(other_record->messages.size() == 1u);
  // Twenty seconds for both, not forty.
  BOOST_TEST((delivered.elapsed >= SimTime(20s) && delivered.elapsed < SimTime(21s)));
}

BOOST_AUTO_TEST_CASE(recipients_without_a_route_are_deferred_and_the_rest_delivered) {
  DeliveryWorld w;
  w.start_sink();
  w.config = two_route_config(false);
  gateway::QueuedMessage message =
      w.spool_message({"a@corp.example", "b@other.example", "c@third.example"});
  const Delivered delivered = w.deliver(message);

  BOOST_TEST(delivered.recipient(0).result == DeliveryResult::delivered);
  BOOST_TEST(delivered.recipient(1).result == DeliveryResult::deferred);
  BOOST_TEST(delivered.recipient(1).reply == "4.4.4 no route for domain other.example");
  BOOST_TEST(delivered.recipient(2).result == DeliveryResult::deferred);
  BOOST_TEST(delivered.recipient(2).reply == "4.4.4 no route for domain third.example");
  BOOST_TEST(w.record->messages.front().recipients == std::vector<std::string>{"a@corp.example"});
}

BOOST_AUTO_TEST_CASE(sessions_to_one_hop_wait_for_a_free_slot) {
  // Each message holds its session for ten seconds at the end of DATA.
  struct Case {
    std::size_t per_hop;
    std::int64_t last_done_ms;
  };
  for (const Case& c : {Case{1, 30000}, Case{3, 10000}}) {
    BOOST_TEST_CONTEXT("per hop " << c.per_hop) {
      DeliveryWorld w;
      w.config.delivery.max_connections_per_hop = c.per_hop;
      peers::SmtpSinkOptions options;
      options.rules = {peers::delay_at(peers::SinkStage::dot, 10s)};
      w.start_sink(options);

      std::vector<gateway::QueuedMessage> messages;
      for (int i = 0; i < 3; ++i) {
        messages.push_back(w.spool_message({"bob@corp.example"}));
      }
      std::vector<std::optional<Delivered>> outcomes(messages.size());
      for (std::size_t i = 0; i < messages.size(); ++i) {
        w.start_delivery(messages[i], outcomes[i]);
      }
      BOOST_TEST_REQUIRE(w.world.run_until(
          [&] {
            return std::all_of(outcomes.begin(), outcomes.end(),
                               [](const auto& outcome) { return outcome.has_value(); });
          },
          SimTime(1h)));

      std::int64_t last_done_ms = 0;
      for (const auto& outcome : outcomes) {
        BOOST_TEST(outcome->recipient(0).result == DeliveryResult::delivered);
        last_done_ms = std::max(last_done_ms, ms(outcome->elapsed));
      }
      BOOST_TEST(last_done_ms == c.last_done_ms);
      BOOST_TEST(w.record->messages.size() == 3u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
