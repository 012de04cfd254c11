// The inbound SMTP session end to end in the simulated world: replies on the wire, what
// reaches the queue, and what never may.
#include <boost/test/unit_test.hpp>

#include "tests/gateway/server/server_fixture.hpp"

namespace server_test {
namespace {

const std::string ehlo = "EHLO client.example\r\n";
const std::string envelope = "MAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob@corp.example>\r\n";
const std::string body = "Subject: hello\r\n\r\nfirst line\r\n..dot-stuffed line\r\nlast\r\n.\r\n";

std::vector<int> codes(std::initializer_list<int> list) {
  return list;
}

BOOST_AUTO_TEST_SUITE(smtp_session)

BOOST_AUTO_TEST_CASE(a_message_is_answered_250_and_delivered_with_a_received_header) {
  Fixture fixture;
  auto talk = fixture.talk({{ehlo}, {envelope, 2}, {"DATA\r\n"}, {body}, {"QUIT\r\n"}});

  BOOST_TEST(talk.codes == codes({220, 250, 250, 250, 354, 250, 221}),
             boost::test_tools::per_element());
  BOOST_TEST(talk.received.find("250-PIPELINING") != std::string::npos);
  BOOST_TEST(talk.received.find("250-SIZE 26214400") != std::string::npos);
  BOOST_TEST(talk.received.find("STARTTLS") == std::string::npos);  // no tls section

  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_REQUIRE_EQUAL(fixture.delivered.size(), 1u);
  const Delivered& got = fixture.delivered.front();
  BOOST_TEST(
      got.content.starts_with("Received: from client.example (192.0.2.7)\r\n"
                              "\tby gw.example.net (mta-gateway) with ESMTP id " +
                              got.queue_id + "\r\n\tfor <bob@corp.example>; Thu, 01 Jan 2026"));
  BOOST_TEST(got.content.ends_with(
      "\r\nSubject: hello\r\n\r\nfirst line\r\n.dot-stuffed line\r\nlast\r\n"));
  BOOST_TEST(talk.received.find("250 2.0.0 ") != std::string::npos);
  BOOST_TEST(talk.received.find(got.queue_id) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_whole_pipelined_transaction_gets_every_reply_in_order) {
  Fixture fixture;
  auto talk = fixture.talk({{ehlo}, {envelope + "DATA\r\n", 3}, {body + "QUIT\r\n", 2}});
  BOOST_TEST(talk.codes == codes({220, 250, 250, 250, 354, 250, 221}),
             boost::test_tools::per_element());
  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_TEST(fixture.delivered.size() == 1u);
}

// The content of `body` without DATA's dot-stuffing and terminator, as BDAT sends it.
const std::string bdat_content =
    "Subject: hello\r\n\r\nfirst line\r\n.dot-stuffed line\r\nlast\r\n";

std::string bdat(const std::string& octets, bool last) {
  return "BDAT " + std::to_string(octets.size()) + (last ? " LAST" : "") + "\r\n" + octets;
}

BOOST_AUTO_TEST_CASE(chunking_is_offered_and_a_message_in_bdat_chunks_is_delivered_as_sent) {
  Fixture fixture;
  const std::string first = bdat_content.substr(0, 20);
  const std::string rest = bdat_content.substr(20);
  auto talk =
      fixture.talk({{ehlo}, {envelope, 2}, {bdat(first, false)}, {bdat(rest, true)}, {"QUIT\r\n"}});
  BOOST_TEST(talk.codes == codes({220, 250, 250, 250, 250, 250, 221}),
             boost::test_tools::per_element());
  BOOST_TEST(talk.received.find("250 CHUNKING\r\n") != std::string::npos);
  BOOST_TEST(talk.received.find("250 2.0.0 20 octets received") != std::string::npos);
  BOOST_TEST(talk.received.find("OK queued as") != std::string::npos);

  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_REQUIRE_EQUAL(fixture.delivered.size(), 1u);
  const Delivered& got = fixture.delivered.front();
  BOOST_TEST(got.content.starts_with("Received: from client.example (192.0.2.7)\r\n"));
  // No dot-stuffing in BDAT: the line starting with a dot arrives as it was sent.
  BOOST_TEST(got.content.ends_with("\r\n" + bdat_content));
}

BOOST_AUTO_TEST_CASE(pipelined_bdat_chunks_and_the_next_command_stay_in_step) {
  Fixture fixture;
  // Both chunks, their octets, and QUIT in one write; an empty LAST chunk ends the message.
  auto talk = fixture.talk(
      {{ehlo}, {envelope, 2}, {bdat(bdat_content, false) + bdat("", true) + "QUIT\r\n", 3}});
  BOOST_TEST(talk.codes == codes({220, 250, 250, 250, 250, 250, 221}),
             boost::test_tools::per_element());
  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_REQUIRE_EQUAL(fixture.delivered.size(), 1u);
  BOOST_TEST(fixture.delivered.front().content.ends_with("\r\n" + bdat_content));
}

BOOST_AUTO_TEST_CASE(bdat_out_of_sequence_is_read_then_refused_and_the_session_goes_on) {
  Fixture fixture;
  // The chunk's octets look like a command; they must be read as octets, not obeyed.
  auto talk = fixture.talk({{ehlo}, {bdat("QUIT\r\n", true)}, {"NOOP\r\n"}, {"QUIT\r\n"}});
  BOOST_TEST(talk.codes == codes({220, 250, 503, 250, 221}), boost::test_tools::per_element());
  // DATA after BDAT in one transaction is a sequence error; the transaction is gone after.
  auto mixed = fixture.talk(
      {{ehlo}, {envelope, 2}, {bdat("Subject: x\r\n", false)}, {"DATA\r\n"}, {"QUIT\r\n"}});
  BOOST_TEST(mixed.codes == codes({220, 250, 250, 250, 250, 503, 221}),
             boost::test_tools::per_element());
  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_TEST(fixture.delivered.empty());
  BOOST_TEST(fixture.process->spool.list_messages()->empty());
}

BOOST_AUTO_TEST_CASE(bdat_beyond_the_size_limit_or_without_a_size_ends_the_session) {
  Fixture fixture(base_config("limits: {max_message_size: 1KiB}\n"));
  // The NOOP after each finds the connection closed: it gets no reply.
  auto big = fixture.talk({{ehlo}, {envelope, 2}, {"BDAT 2000 LAST\r\n"}, {"NOOP\r\n"}});
  BOOST_TEST(big.codes == codes({220, 250, 250, 250, 552}), boost::test_tools::per_element());
  BOOST_TEST(big.closed_by_server);
  auto malformed = fixture.talk({{ehlo}, {envelope, 2}, {"BDAT many\r\n"}, {"NOOP\r\n"}});
  BOOST_TEST(malformed.codes.back() == 501);
  BOOST_TEST(malformed.closed_by_server);
  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_TEST(fixture.process->spool.list_messages()->empty());
}

BOOST_AUTO_TEST_CASE(a_bdat_message_with_a_bare_line_feed_is_refused_and_nothing_queued) {
  Fixture fixture;
  auto talk =
      fixture.talk({{ehlo}, {envelope, 2}, {bdat("Subject: x\n\nbody\r\n", true)}, {"QUIT\r\n"}});
  BOOST_TEST(talk.codes == codes({220, 250, 250, 250, 554, 221}), boost::test_tools::per_element());
  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_TEST(fixture.delivered.empty());
  BOOST_TEST(fixture.process->spool.list_messages()->empty());
}

BOOST_AUTO_TEST_CASE(relaying_and_address_tricks_are_refused_at_rcpt) {
  Fixture fixture;
  const std::vector<std::string> refused = {"<bob@other.example>",
                                            "<bob%other.example@corp.example>",
                                            "<other!bob@corp.example>",
                                            "<\"bob@other\"@corp.example>",
                                            "<@relay.example:bob@corp.example>",
                                            "<bob@[10.0.0.9]>"};
  for (const auto& path : refused) {
    auto talk = fixture.talk(
        {{ehlo}, {"MAIL FROM:<a@sender.example>\r\n"}, {"RCPT TO:" + path + "\r\n"}, {"QUIT\r\n"}});
    BOOST_TEST(talk.codes == codes({220, 250, 250, 550, 221}), boost::test_tools::per_element());
    BOOST_TEST(talk.received.find("550 5.7.1") != std::string::npos, "for " << path);
  }
  auto accepted = fixture.talk({{ehlo},
                                {"MAIL FROM:<a@sender.example>\r\n"},
                                {"RCPT TO:<Bob@CORP.Example>\r\n"},
                                {"QUIT\r\n"}});
  BOOST_TEST(accepted.codes == codes({220, 250, 250, 250, 221}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_smuggled_second_message_stays_inside_the_first_which_is_refused) {
  Fixture fixture;
  const std::string smuggling =
      "Subject: one\r\n\r\nbody\n.\nMAIL FROM:<evil@sender.example>\r\n"
      "RCPT TO:<bob@corp.example>\r\nDATA\r\n\r\nsmuggled\r\n.\r\n";
  auto talk = fixture.talk({{ehlo}, {envelope, 2}, {"DATA\r\n"}, {smuggling}, {"QUIT\r\n"}});

  // One reply for the whole data: the refusal; then the QUIT's.
  BOOST_TEST(talk.codes == codes({220, 250, 250, 250, 354, 554, 221}),
             boost::test_tools::per_element());
  BOOST_TEST(talk.received.find("554 5.6.0") != std::string::npos);
  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_TEST(fixture.delivered.empty());
}

BOOST_AUTO_TEST_CASE(commands_out_of_sequence_get_503_and_data_without_recipients_554) {
  Fixture fixture;
  auto talk = fixture.talk({{"MAIL FROM:<a@sender.example>\r\n"},
                            {ehlo},
                            {"RCPT TO:<bob@corp.example>\r\n"},
                            {"DATA\r\n"},
                            {"MAIL FROM:<a@sender.example>\r\n"},
                            {"MAIL FROM:<a@sender.example>\r\n"},
                            {"DATA\r\n"},
                            {"QUIT\r\n"}});
  BOOST_TEST(talk.codes == codes({220, 503, 250, 503, 503, 250, 503, 554, 221}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(recipients_beyond_the_limit_get_452) {
  Fixture fixture(base_config("limits:\n  max_recipients: 2\n"));
  auto talk = fixture.talk({{ehlo},
                            {"MAIL FROM:<a@sender.example>\r\n"},
                            {"RCPT TO:<b1@corp.example>\r\nRCPT TO:<b2@corp.example>\r\n"
                             "RCPT TO:<b3@corp.example>\r\n",
                             3},
                            {"QUIT\r\n"}});
  BOOST_TEST(talk.codes == codes({220, 250, 250, 250, 250, 452, 221}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_idle_client_gets_421_after_exactly_the_command_timeout) {
  Fixture fixture(base_config("limits:\n  command_timeout: 30s\n"));
  auto talk = fixture.talk({{ehlo}, {"", 1}});
  BOOST_TEST(talk.codes == codes({220, 250, 421}), boost::test_tools::per_element());
  // The server's wait starts as it sends the EHLO reply, so the 421 reaches the client
  // exactly 30 s after that reply did.
  const auto waited = talk.reply_times[2] - talk.reply_times[1];
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() == 30'000);
}

// A sender that trickles 10 bytes every 10 s beats every read's 30 s deadline; only the
// rate floor stops it. Without a floor the same sender gets its message through. With
// one, the client listens after its third piece, 30 s into DATA, where the cut must come
// (a client that wrote on instead could lose the reply to the reset its writes provoke).
std::vector<Step> trickled_message(bool listen_after_third_piece) {
  std::vector<Step> steps{{ehlo}, {envelope, 2}, {"DATA\r\n"}, {"Subject: slow\r\n\r\n", 0}};
  for (int piece = 1; piece <= 8; ++piece) {
    const bool listen = listen_after_third_piece && piece == 3;
    steps.push_back({.send = "0123456789", .replies = listen ? 1 : 0, .pause = 10s});
  }
  steps.push_back({.send = "\r\n.\r\n", .replies = 1, .pause = 10s});
  return steps;
}

BOOST_AUTO_TEST_CASE(a_sender_below_the_minimum_data_rate_gets_421_and_nothing_is_queued) {
  Fixture fixture(base_config("limits:\n  command_timeout: 30s\n  min_data_rate: 100\n"));
  auto talk = fixture.talk(trickled_message(true));
  BOOST_TEST(talk.codes == codes({220, 250, 250, 250, 354, 421}), boost::test_tools::per_element());
  BOOST_TEST(talk.received.find("421 4.4.2") != std::string::npos);
  // The check waits for a command timeout of data: the 421 answers the third piece, 30 s
  // after the 354.
  BOOST_TEST_REQUIRE(talk.reply_times.size() == 6u);
  const auto waited = talk.reply_times[5] - talk.reply_times[4];
  BOOST_TEST(waited >= 30s);
  BOOST_TEST(waited < 31s);
  fixture.world.run_until_idle(fixture.world.now() + 1h);
  auto messages = fixture.process->spool.list_messages();
  BOOST_REQUIRE(messages.has_value());
  BOOST_TEST(messages->empty());
}

BOOST_AUTO_TEST_CASE(without_a_minimum_data_rate_a_slow_sender_is_only_bound_by_timeouts) {
  Fixture fixture(base_config("limits:\n  command_timeout: 30s\n"));
  auto talk = fixture.talk(trickled_message(false));
  BOOST_TEST(talk.codes == codes({220, 250, 250, 250, 354, 250}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_connection_lost_in_data_leaves_nothing_queued) {
  Fixture fixture;
  fixture.talk({{ehlo}, {envelope, 2}, {"DATA\r\n"}, {"Subject: cut\r\n\r\nhalf a body", 0}});
  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_TEST(fixture.delivered.empty());
  auto messages = fixture.process->spool.list_messages();
  BOOST_REQUIRE(messages.has_value());
  BOOST_TEST(messages->empty());
}

BOOST_AUTO_TEST_CASE(a_size_over_the_limit_is_refused_at_mail_and_after_data) {
  Fixture fixture(base_config("limits:\n  max_message_size: 1KiB\n"));
  const std::string big = "Subject: big\r\n\r\n" + std::string(2000, 'x') + "\r\n.\r\n";
  auto talk = fixture.talk({{ehlo},
                            {"MAIL FROM:<a@sender.example> SIZE=5000\r\n"},
                            {envelope, 2},
                            {"DATA\r\n"},
                            {big},
                            {"QUIT\r\n"}});
  BOOST_TEST(talk.codes == codes({220, 250, 552, 250, 250, 354, 552, 221}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(connections_over_the_limit_hear_421) {
  Fixture fixture(base_config("limits:\n  max_connections: 1\n"));
  // A first client holds the only slot while a second one connects.
  auto holder = std::make_shared<runtime::ByteStream>();
  auto& extra = fixture.world.add_node("holder", "192.0.2.8");
  extra.boot([holder](runtime::Host& host) {
    auto connect = [](runtime::Host& h,
                      std::shared_ptr<runtime::ByteStream> keep) -> asio::awaitable<void> {
      const runtime::Endpoint server{gateway_address, 25};
      auto [ec, stream] =
          co_await runtime::async_connect(h.network(), server, asio::as_tuple(asio::use_awaitable));
      *keep = std::move(stream);
    };
    asio::co_spawn(host.executor(), connect(host, holder), asio::detached);
    return std::shared_ptr<void>();
  });
  fixture.world.run_for(1s);

  auto talk = fixture.talk({});
  BOOST_TEST(talk.codes == codes({421}), boost::test_tools::per_element());
  BOOST_TEST(fixture.process->metrics.connections_refused_total == 1u);
}

BOOST_AUTO_TEST_CASE(a_message_answered_250_survives_a_crash_before_delivery) {
  // Inspection takes an hour, so the gateway crashes after the 250 and before delivery.
  Fixture fixture(base_config(), false, 1h);
  auto talk = fixture.talk({{ehlo}, {envelope, 2}, {"DATA\r\n"}, {body}});
  BOOST_TEST(talk.codes.back() == 250);
  fixture.gateway.crash();
  BOOST_TEST(fixture.delivered.empty());

  fixture.gateway.restart();
  fixture.world.run_until_idle(fixture.world.now() + 3h);
  BOOST_TEST(fixture.delivered.size() == 1u);
}

BOOST_AUTO_TEST_CASE(starttls_discards_pipelined_plaintext_and_resets_the_session) {
  Fixture fixture(base_config(), /*with_tls=*/true);
  // "MAIL FROM" rides in the same packet as STARTTLS: it must never be answered.
  auto talk = fixture.talk({{ehlo},
                            {"STARTTLS\r\nMAIL FROM:<injected@sender.example>\r\n", 1, true},
                            {"MAIL FROM:<a@sender.example>\r\n"},
                            {ehlo},
                            {"STARTTLS\r\n"},
                            {envelope, 2},
                            {"DATA\r\n"},
                            {body},
                            {"QUIT\r\n"}});
  BOOST_TEST(talk.codes == codes({220, 250, 220, 503, 250, 503, 250, 250, 354, 250, 221}),
             boost::test_tools::per_element());
  BOOST_TEST(talk.received.find("STARTTLS\r\n") != std::string::npos);

  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_REQUIRE_EQUAL(fixture.delivered.size(), 1u);
  BOOST_TEST(fixture.delivered.front().content.find("with ESMTPS (TLSv1.3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(inline_mode_holds_the_250_until_inspection_and_mta_mode_does_not) {
  for (const std::string mode : {"mta", "inline"}) {
    Fixture fixture(base_config("mode: " + mode + "\n"), false, 30s);
    auto talk = fixture.talk({{ehlo}, {envelope, 2}, {"DATA\r\n"}, {body}});
    BOOST_REQUIRE_EQUAL(talk.codes.size(), 6u);
    const auto held = talk.reply_times[5] - talk.reply_times[4];
    if (mode == "inline") {
      BOOST_TEST(held >= SimTime(30s), mode);
    } else {
      BOOST_TEST(held < SimTime(1s), mode);
    }
    fixture.world.run_until_idle(fixture.world.now() + 1h);
    BOOST_TEST(fixture.delivered.size() == 1u, mode);
  }
}

BOOST_AUTO_TEST_CASE(in_inline_mode_a_client_that_leaves_before_the_answer_queues_nothing) {
  Fixture fixture(base_config("mode: inline\n"), false, 30s);
  // The client sends the terminator and leaves at once: no step waits for the 250.
  fixture.talk({{ehlo}, {envelope, 2}, {"DATA\r\n"}, {body, 0}});
  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_TEST(fixture.delivered.empty());
  BOOST_TEST(fixture.process->spool.list_messages()->empty());
}

BOOST_AUTO_TEST_CASE(an_inspections_companions_are_queued_with_the_message_in_both_modes) {
  for (const std::string mode : {"mta", "inline"}) {
    Fixture fixture(base_config("mode: " + mode + "\n"), false, 30s);
    fixture.process->inspector.companion_spool = &fixture.process->spool;
    auto talk = fixture.talk({{ehlo}, {envelope, 2}, {"DATA\r\n"}, {body}});
    BOOST_TEST(talk.codes.back() == 250, mode);
    fixture.world.run_until_idle(fixture.world.now() + 1h);
    BOOST_TEST_REQUIRE(fixture.delivered.size() == 2u, mode);
    const bool companion_delivered =
        fixture.delivered[0].content.find("Subject: companion") != std::string::npos ||
        fixture.delivered[1].content.find("Subject: companion") != std::string::npos;
    BOOST_TEST(companion_delivered, mode);
    BOOST_TEST(fixture.process->spool.list_messages()->empty(), mode);
  }
}

BOOST_AUTO_TEST_CASE(in_inline_mode_a_client_that_leaves_drops_the_companions_too) {
  Fixture fixture(base_config("mode: inline\n"), false, 30s);
  fixture.process->inspector.companion_spool = &fixture.process->spool;
  fixture.talk({{ehlo}, {envelope, 2}, {"DATA\r\n"}, {body, 0}});
  fixture.world.run_until_idle(fixture.world.now() + 1h);
  BOOST_TEST(fixture.delivered.empty());
  BOOST_TEST(fixture.process->spool.list_messages()->empty());
  BOOST_TEST(fixture.process->spool.storage().list(fixture.process->spool.state_folder())->empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace server_test
