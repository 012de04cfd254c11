// The trace's line format and digest.
#include <boost/test/unit_test.hpp>

#include "sim/trace.hpp"
#include "sim/world.hpp"

namespace {

BOOST_AUTO_TEST_SUITE(trace)

BOOST_AUTO_TEST_CASE(a_line_holds_time_node_event_and_fields_in_order) {
  sim::Trace trace;
  trace.keep_lines(true);
  runtime::Field fields[] = {{"queue_id", "4Qx"}, {"bytes", 1200}, {"tls", true}};
  trace.record(1500, "gateway", "smtp.reply", fields);

  BOOST_TEST(trace.text() ==
             "{\"t_us\": 1500, \"node\": \"gateway\", \"event\": \"smtp.reply\", "
             "\"queue_id\": \"4Qx\", \"bytes\": 1200, \"tls\": true}\n");
}

BOOST_AUTO_TEST_CASE(hostile_text_is_escaped_into_valid_json) {
  sim::Trace trace;
  trace.keep_lines(true);
  const std::string_view hostile = "a\"b\\c\r\n\x01\xff caf\xc3\xa9";
  runtime::Field fields[] = {{"line", hostile}};
  trace.record(0, "n", "e", fields);

  BOOST_TEST(trace.text().find(R"("line": "a\"b\\c\r\n\u0001\u00ff café")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_digest_is_the_sha256_of_the_bytes) {
  sim::Trace empty;
  BOOST_TEST(empty.digest() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  sim::Trace one;
  sim::Trace two;
  one.record(1, "n", "e", {});
  two.record(1, "n", "e", {});
  BOOST_TEST(one.digest() == two.digest());
  two.record(2, "n", "e", {});
  BOOST_TEST(one.digest() != two.digest());
}

BOOST_AUTO_TEST_CASE(world_records_carry_virtual_time) {
  sim::World world;
  world.trace().keep_lines(true);
  world.run_for(std::chrono::milliseconds(2));
  world.record("n", "tick", {{"k", 1}});
  BOOST_TEST(world.trace().text() ==
             "{\"t_us\": 2000, \"node\": \"n\", \"event\": \"tick\", \"k\": 1}\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
