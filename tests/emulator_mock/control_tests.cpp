// The control endpoint, behaviour changes at run time, reset, and HTTPS.
#include <string>

#include "emulator_fixture.hpp"

namespace emulator_test {
namespace {

const std::string unknown_sha(64, 'b');

// Sends a plain-text query and keeps whatever comes back until the connection ends.
asio::awaitable<void> plain_exchange(sim::Node& node, std::shared_ptr<std::string> out,
                                     std::shared_ptr<bool> done) {
  const runtime::Endpoint server{emulator_address, emulator_port};
  auto [ec, stream] = co_await runtime::async_connect(node.network(), server,
                                                      asio::as_tuple(asio::use_awaitable));
  if (!ec) {
    const std::string raw = query_request(unknown_sha);
    co_await asio::async_write(stream, asio::buffer(raw), asio::as_tuple(asio::use_awaitable));
    std::array<char, 512> buffer{};
    for (;;) {
      auto [read_error, count] =
          co_await stream.async_read_some(asio::buffer(buffer),
                                          asio::as_tuple(asio::use_awaitable));
      out->append(buffer.data(), count);
      if (read_error) {
        break;
      }
    }
  }
  *done = true;
}

BOOST_AUTO_TEST_SUITE(control)

BOOST_AUTO_TEST_CASE(counters_are_readable_over_http) {
  Fixture fixture;
  fixture.upload("e.com", emulator_mock::eicar_test_string());
  fixture.query(unknown_sha);
  const HttpResponse got = fixture.send(http_request("GET", emulator_mock::counters_path, "", ""));
  BOOST_TEST(got.http_status == 200);
  const auto counters = boost::json::parse(got.body).as_object();
  BOOST_TEST(counters.at("uploads").as_int64() == 1);
  BOOST_TEST(counters.at("queries").as_int64() == 1);
  BOOST_TEST(counters.at("files_seen").as_int64() == 1);
  BOOST_TEST(counters.at("verdicts").at("malicious").as_int64() == 1);
  BOOST_TEST(counters.at("answers").at("1004").as_int64() == 1);
  BOOST_TEST(counters.at("connections").as_int64() == 3);
}

BOOST_AUTO_TEST_CASE(put_behaviour_replaces_it_at_run_time) {
  Fixture fixture;
  fixture.upload("a.txt", "before");
  const HttpResponse put = fixture.send(http_request(
      "PUT", emulator_mock::behaviour_path, "application/yaml",
      "default: {verdict: malicious, delay: 1m}\nfaults: [{kind: http_503, requests: [query], "
      "from: 10m}]\n"));
  BOOST_TEST(put.http_status == 200);
  BOOST_TEST(emulator_mock::verdict_name(fixture.emulator->behaviour().default_verdict) ==
             "malicious");

  // Files done before keep their verdict; new uploads follow the new behaviour.
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("before")).verdict == "benign");
  fixture.upload("b.txt", "after");
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("after")).code == 1003);
  fixture.run_to(2min);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("after")).verdict == "malicious");
  fixture.run_to(11min);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("after")).http_status == 503);
}

BOOST_AUTO_TEST_CASE(a_bad_behaviour_is_refused_naming_line_and_key) {
  Fixture fixture;
  const HttpResponse put = fixture.send(http_request(
      "PUT", emulator_mock::behaviour_path, "application/yaml", "capacity: 1\nbogus: 2\n"));
  BOOST_TEST(put.http_status == 400);
  BOOST_TEST(put.body == "behaviour:2: bogus: unknown key\n");
  BOOST_TEST(fixture.emulator->behaviour().capacity == 0U);
}

BOOST_AUTO_TEST_CASE(a_larger_capacity_starts_waiting_emulations_at_once) {
  Fixture fixture("capacity: 1\ndefault: {delay: 1m}\n");
  fixture.upload("a", "one");
  fixture.upload("b", "two");
  BOOST_TEST(fixture.emulator->counters().emulations_waiting == 1U);
  auto behaviour = fixture.emulator->behaviour();
  behaviour.capacity = 2;
  fixture.emulator->set_behaviour(behaviour);
  BOOST_TEST(fixture.emulator->counters().emulations_running == 2U);
  fixture.run_to(61s);
  BOOST_TEST(fixture.emulator->counters().verdicts_benign == 2U);
}

BOOST_AUTO_TEST_CASE(a_refuse_window_added_at_run_time_takes_effect) {
  Fixture fixture;
  auto behaviour = fixture.emulator->behaviour();
  behaviour.faults.push_back(emulator_mock::Fault{.kind = emulator_mock::FaultKind::refuse,
                                                  .from = std::chrono::minutes(1),
                                                  .until = std::chrono::minutes(2)});
  fixture.emulator->set_behaviour(behaviour);
  fixture.run_to(90s);
  BOOST_TEST(!fixture.query(unknown_sha).connected);
  // Removing it ends the refusal before its window would have.
  behaviour.faults.clear();
  fixture.emulator->set_behaviour(behaviour);
  fixture.run_to(91s);
  BOOST_TEST(fixture.query(unknown_sha).code == 1004);
}

BOOST_AUTO_TEST_CASE(reset_forgets_files_and_counters) {
  Fixture fixture("default: {delay: 1m}\n");
  fixture.upload("a", "one");
  const HttpResponse reset = fixture.send(http_request("POST", emulator_mock::reset_path, "", ""));
  BOOST_TEST(reset.http_status == 200);
  BOOST_TEST(fixture.query(emulator_mock::sha256_hex("one")).code == 1004);
  fixture.run_to(2min);
  const auto counters = fixture.emulator->counters();
  BOOST_TEST(counters.files_seen == 0U);
  BOOST_TEST(counters.verdicts_benign == 0U);  // the abandoned emulation gave nothing
  BOOST_TEST(counters.queries == 1U);
}

BOOST_AUTO_TEST_CASE(control_paths_check_their_methods) {
  Fixture fixture;
  BOOST_TEST(fixture.send(http_request("POST", emulator_mock::counters_path, "", "")).http_status ==
             405);
  BOOST_TEST(fixture.send(http_request("GET", emulator_mock::behaviour_path, "", "")).http_status ==
             405);
  BOOST_TEST(fixture.send(http_request("GET", emulator_mock::reset_path, "", "")).http_status ==
             405);
  BOOST_TEST(fixture.send(http_request("GET", "/control/other", "", "")).http_status == 404);
}

BOOST_AUTO_TEST_CASE(stop_ends_listening_connections_and_emulations) {
  Fixture fixture("default: {delay: 1m}\nfaults: [{kind: hang, requests: [upload]}]\n");
  fixture.query(unknown_sha);
  fixture.emulator->stop();
  BOOST_TEST(!fixture.query(unknown_sha).connected);
  BOOST_TEST(fixture.world.run_until_idle(fixture.world.now() + 1h));
}

BOOST_AUTO_TEST_CASE(https_serves_the_same_protocol) {
  Fixture fixture(emulator_mock::Behaviour{}, true);
  BOOST_TEST(fixture.upload("e.com", emulator_mock::eicar_test_string()).code == 1002);
  const HttpResponse got =
      fixture.query(emulator_mock::sha256_hex(emulator_mock::eicar_test_string()));
  BOOST_TEST(got.code == 1001);
  BOOST_TEST(got.verdict == "malicious");
  BOOST_TEST(fixture.events("emulator.listening").at(0).fields.at("tls").as_bool());
}

BOOST_AUTO_TEST_CASE(https_refuses_a_plain_client) {
  Fixture fixture(emulator_mock::Behaviour{}, true);
  // The fixture's client speaks TLS; a plain request is sent by hand here instead.
  auto out = std::make_shared<std::string>();
  auto done = std::make_shared<bool>(false);
  asio::co_spawn(fixture.client.executor(), plain_exchange(fixture.client, out, done),
                 asio::detached);
  fixture.world.run_until([&] { return *done; }, fixture.world.now() + 1min);
  BOOST_TEST(*done);
  BOOST_TEST(out->find("HTTP/1.1") == std::string::npos);
  BOOST_TEST(fixture.emulator->counters().queries == 0U);
  BOOST_TEST(fixture.events("emulator.tls_failed").size() == 1U);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace emulator_test
