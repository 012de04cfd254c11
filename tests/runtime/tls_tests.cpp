// TLS over the seam's byte streams, mostly in a simulated world: two nodes, a simulated
// network, and certificates checked against virtual time. One case runs over real TCP on
// loopback to show the same code working there.
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <variant>

#include <stdlib.h>

#include <openssl/x509_vfy.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include "runtime/certificates.hpp"
#include "runtime/host.hpp"
#include "runtime/real/posix_storage.hpp"
#include "runtime/real/real_host.hpp"
#include "runtime/tls.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using runtime::ByteStream;
using runtime::CertificateOptions;
using runtime::Credentials;
using runtime::error_code;
using runtime::KeyType;
using runtime::TlsContext;
using runtime::TlsRole;
using runtime::WallTime;

constexpr std::uint16_t smtp_port = 25;
const runtime::Endpoint server_endpoint{"10.0.0.1", smtp_port};
constexpr auto handshake_timeout = 30s;

// A node that runs nothing of its own: the tests spawn coroutines on it.
std::shared_ptr<void> idle_process(runtime::Host&) {
  return nullptr;
}

error_code verify_error(long result) {
  return {static_cast<int>(result), runtime::tls_verify_category()};
}

// What one side of a TLS attempt ended with.
struct Outcome {
  bool finished = false;
  error_code ec;
  ByteStream stream;
};

// Certificates issued for a window, by an authority valid long around it.
struct Pki {
  Credentials authority;
  Credentials server;  // mx.example and 10.0.0.1
  Credentials client;  // client.example
};

CertificateOptions request(std::string name, WallTime from, WallTime until,
                           KeyType key = KeyType::ed25519) {
  CertificateOptions options;
  options.common_name = name;
  options.dns_names = {name};
  options.not_before = from;
  options.not_after = until;
  options.key = key;
  return options;
}

Pki make_pki(WallTime from, WallTime until, KeyType key = KeyType::ed25519) {
  Pki pki;
  pki.authority = runtime::make_certificate_authority(
                      request("Test Root", from - 24h * 365, until + 24h * 365, key))
                      .value();
  CertificateOptions server = request("mx.example", from, until, key);
  server.ip_addresses = {"10.0.0.1", "127.0.0.1"};
  pki.server = runtime::issue_certificate(pki.authority, server).value();
  pki.client =
      runtime::issue_certificate(pki.authority, request("client.example", from, until, key))
          .value();
  return pki;
}

TlsContext server_context(const Credentials& identity) {
  return TlsContext::server(identity.chain_pem, identity.private_key_pem).value();
}

TlsContext verifying_client(const Credentials& authority) {
  return TlsContext::client_verifying(authority.certificate_pem).value();
}

// Accepts one connection and runs the server side of a handshake on it.
asio::awaitable<void> accept_tls(runtime::Host& host, runtime::Listener& listener,
                                 TlsContext& context, Outcome& out) {
  auto [accept_ec, plain] = co_await listener.async_accept(asio::as_tuple(asio::use_awaitable));
  if (!accept_ec) {
    std::tie(out.ec, out.stream) = co_await runtime::async_tls_handshake(
        host, std::move(plain), context, TlsRole::server, "", asio::as_tuple(asio::use_awaitable));
  }
  out.ec = accept_ec ? accept_ec : out.ec;
  out.finished = true;
}

// Connects to the server node and runs the client side of a handshake.
asio::awaitable<void> connect_tls(runtime::Host& host, runtime::Endpoint to, TlsContext& context,
                                  std::string name, Outcome& out) {
  auto [connect_ec, plain] =
      co_await runtime::async_connect(host.network(), to, asio::as_tuple(asio::use_awaitable));
  if (!connect_ec) {
    std::tie(out.ec, out.stream) =
        co_await runtime::async_tls_handshake(host, std::move(plain), context, TlsRole::client,
                                              std::move(name), asio::as_tuple(asio::use_awaitable));
  }
  out.ec = connect_ec ? connect_ec : out.ec;
  out.finished = true;
}

// A server node listening on port 25 and a client node, both running.
struct TwoNodes {
  sim::World world;
  sim::Node& server = world.add_node("server", "10.0.0.1");
  sim::Node& client = world.add_node("client", "10.0.0.2");
  runtime::Listener listener;

  TwoNodes() {
    server.boot(idle_process);
    client.boot(idle_process);
    listener = server.network().listen(server_endpoint).value();
  }

  // Runs one handshake between the nodes to its end on both sides.
  std::pair<Outcome, Outcome> handshake(TlsContext& server_side, TlsContext& client_side,
                                        std::string name = "mx.example") {
    std::pair<Outcome, Outcome> outcomes;
    asio::co_spawn(server.executor(), accept_tls(server, listener, server_side, outcomes.first),
                   asio::detached);
    asio::co_spawn(client.executor(),
                   connect_tls(client, server_endpoint, client_side, name, outcomes.second),
                   asio::detached);
    world.run_until_idle();
    BOOST_REQUIRE(outcomes.first.finished);
    BOOST_REQUIRE(outcomes.second.finished);
    return outcomes;
  }

  // Writes `text` on one end and reads as many bytes on the other; returns what arrived.
  std::string carry(sim::Node& from_node, ByteStream& from, sim::Node& to_node, ByteStream& to,
                    const std::string& text) {
    error_code write_ec;
    error_code read_ec;
    std::string received(text.size(), '\0');
    asio::co_spawn(
        from_node.executor(),
        [&]() -> asio::awaitable<void> {
          std::tie(write_ec, std::ignore) = co_await asio::async_write(
              from, asio::buffer(text), asio::as_tuple(asio::use_awaitable));
        },
        asio::detached);
    asio::co_spawn(
        to_node.executor(),
        [&]() -> asio::awaitable<void> {
          std::tie(read_ec, std::ignore) = co_await asio::async_read(
              to, asio::buffer(received), asio::as_tuple(asio::use_awaitable));
        },
        asio::detached);
    world.run_until_idle();
    BOOST_TEST(!write_ec, write_ec.message());
    BOOST_TEST(!read_ec, read_ec.message());
    return received;
  }
};

BOOST_AUTO_TEST_SUITE(tls)

BOOST_FIXTURE_TEST_CASE(a_verified_handshake_carries_data_both_ways, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);

  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());
  BOOST_REQUIRE_MESSAGE(!accepted.ec, accepted.ec.message());
  BOOST_TEST(connected.stream.is_tls());
  BOOST_TEST(accepted.stream.is_tls());

  // Bytes go both ways, and the endpoints are the connection's underneath.
  BOOST_TEST(carry(client, connected.stream, server, accepted.stream, "EHLO client.example\r\n") ==
             "EHLO client.example\r\n");
  BOOST_TEST(carry(server, accepted.stream, client, connected.stream, "250 mx.example\r\n") ==
             "250 mx.example\r\n");
  BOOST_TEST(connected.stream.remote_endpoint().to_string() == "10.0.0.1:25");
  BOOST_TEST(accepted.stream.remote_endpoint().host == "10.0.0.2");
}

BOOST_FIXTURE_TEST_CASE(tls_details_name_the_version_cipher_and_verified_peer, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);

  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());
  const auto client_view = connected.stream.tls_details();
  const auto server_view = accepted.stream.tls_details();
  BOOST_REQUIRE(client_view.has_value());
  BOOST_REQUIRE(server_view.has_value());

  BOOST_TEST(client_view->version == "TLSv1.3");
  BOOST_TEST(client_view->cipher.rfind("TLS_", 0) == 0u, client_view->cipher);
  BOOST_TEST(client_view->cipher == server_view->cipher);
  BOOST_TEST(client_view->peer_subject == "CN=mx.example");
  BOOST_TEST(client_view->peer_verified);

  // The server asked for no certificate, so it has no peer to name.
  BOOST_TEST(server_view->peer_subject == "");
  BOOST_TEST(!server_view->peer_verified);
}

BOOST_FIXTURE_TEST_CASE(a_plain_stream_reports_no_tls_details, TwoNodes) {
  Outcome connected;
  asio::co_spawn(
      client.executor(),
      [&]() -> asio::awaitable<void> {
        std::tie(connected.ec, connected.stream) = co_await runtime::async_connect(
            client.network(), server_endpoint, asio::as_tuple(asio::use_awaitable));
      },
      asio::detached);
  world.run_until_idle();

  BOOST_REQUIRE(!connected.ec);
  BOOST_TEST(!connected.stream.is_tls());
  BOOST_TEST(!connected.stream.tls_details().has_value());
}

BOOST_FIXTURE_TEST_CASE(a_server_that_requires_client_certificates_verifies_them, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  TlsContext server_side = server_context(pki.server);
  BOOST_REQUIRE(!server_side.verify_clients(pki.authority.certificate_pem, true));
  TlsContext client_side = verifying_client(pki.authority);
  BOOST_REQUIRE(!client_side.use_certificate(pki.client.chain_pem, pki.client.private_key_pem));

  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_REQUIRE_MESSAGE(!accepted.ec, accepted.ec.message());
  BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());
  BOOST_TEST(server_side.verifies_peer());
  BOOST_TEST(accepted.stream.tls_details()->peer_subject == "CN=client.example");
  BOOST_TEST(accepted.stream.tls_details()->peer_verified);
}

BOOST_FIXTURE_TEST_CASE(a_server_that_requires_client_certificates_refuses_clients_without,
                        TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  TlsContext server_side = server_context(pki.server);
  BOOST_REQUIRE(!server_side.verify_clients(pki.authority.certificate_pem, true));
  TlsContext client_side = verifying_client(pki.authority);

  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_TEST((accepted.ec.category() == asio::error::get_ssl_category()));
  BOOST_TEST(accepted.ec.message().find("peer did not return a certificate") != std::string::npos,
             accepted.ec.message());
  BOOST_TEST(!accepted.stream.is_open());
}

BOOST_FIXTURE_TEST_CASE(a_client_certificate_from_an_unknown_authority_is_refused, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  const Pki stranger = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  TlsContext server_side = server_context(pki.server);
  BOOST_REQUIRE(!server_side.verify_clients(pki.authority.certificate_pem, false));
  TlsContext client_side = verifying_client(pki.authority);
  BOOST_REQUIRE(
      !client_side.use_certificate(stranger.client.chain_pem, stranger.client.private_key_pem));

  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_TEST(accepted.ec == verify_error(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
             accepted.ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_server_certificate_for_another_name_is_refused, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);

  auto [accepted, connected] = handshake(server_side, client_side, "other.example");
  BOOST_TEST(connected.ec == verify_error(X509_V_ERR_HOSTNAME_MISMATCH), connected.ec.message());
  BOOST_TEST(connected.ec.message() == "hostname mismatch");
  BOOST_TEST(!connected.stream.is_open());
  // The client's alert tells the server why.
  BOOST_TEST((accepted.ec.category() == asio::error::get_ssl_category()));
  BOOST_TEST(!accepted.stream.is_open());
}

BOOST_FIXTURE_TEST_CASE(an_ip_literal_is_checked_against_the_ip_entries, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);

  auto [accepted, connected] = handshake(server_side, client_side, "10.0.0.1");
  BOOST_TEST(!connected.ec, connected.ec.message());
  auto [refused_accept, refused] = handshake(server_side, client_side, "10.0.0.9");
  BOOST_TEST(refused.ec == verify_error(X509_V_ERR_IP_ADDRESS_MISMATCH), refused.ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_certificate_from_an_unknown_authority_is_refused, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  const Pki other = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(other.authority);

  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_TEST(connected.ec == verify_error(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
             connected.ec.message());
  BOOST_TEST(accepted.ec.message().find("unknown ca") != std::string::npos, accepted.ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_certificate_expires_when_virtual_time_passes_not_after, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h * 30, world.wall_now() + 24h);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);

  // Before notAfter the certificate passes.
  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_TEST(!connected.ec, connected.ec.message());
  BOOST_TEST(!accepted.ec, accepted.ec.message());

  // Two virtual days later the same certificate, contexts and names fail.
  world.run_for(48h);
  auto [late_accepted, late_connected] = handshake(server_side, client_side);
  BOOST_TEST(late_connected.ec == verify_error(X509_V_ERR_CERT_HAS_EXPIRED),
             late_connected.ec.message());
  BOOST_TEST(late_connected.ec.message() == "certificate has expired");
  BOOST_TEST(late_accepted.ec.message().find("certificate expired") != std::string::npos,
             late_accepted.ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_client_whose_clock_runs_ahead_sees_the_certificate_expired, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h * 30, world.wall_now() + 24h);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);
  client.set_wall_offset(48h);

  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_TEST(connected.ec == verify_error(X509_V_ERR_CERT_HAS_EXPIRED), connected.ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_certificate_is_refused_until_not_before, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() + 24h, world.wall_now() + 24h * 30);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);

  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_TEST(connected.ec == verify_error(X509_V_ERR_CERT_NOT_YET_VALID), connected.ec.message());
  BOOST_TEST(connected.ec.message() == "certificate is not yet valid");

  // Once virtual time reaches the window, the same certificate passes.
  world.run_for(25h);
  auto [later_accepted, later_connected] = handshake(server_side, client_side);
  BOOST_TEST(!later_connected.ec, later_connected.ec.message());
}

BOOST_FIXTURE_TEST_CASE(an_encrypting_client_accepts_any_certificate_unverified, TwoNodes) {
  const WallTime now = world.wall_now();
  const Credentials self_signed =
      runtime::make_self_signed_certificate(request("mx.example", now - 24h, now + 24h)).value();
  TlsContext server_side = server_context(self_signed);
  TlsContext client_side = TlsContext::client_encrypt_only().value();

  auto [accepted, connected] = handshake(server_side, client_side, "any.example");
  BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());
  BOOST_TEST(!client_side.verifies_peer());
  BOOST_TEST(connected.stream.tls_details()->peer_subject == "CN=mx.example");
  BOOST_TEST(!connected.stream.tls_details()->peer_verified);
}

BOOST_FIXTURE_TEST_CASE(a_verifying_client_without_a_name_fails_closed, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);

  Outcome connected;
  asio::co_spawn(client.executor(),
                 connect_tls(client, server_endpoint, client_side, "", connected), asio::detached);
  world.run_until_idle();
  BOOST_REQUIRE(connected.finished);
  BOOST_TEST(connected.ec == make_error_code(runtime::Error::tls_setup), connected.ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_handshake_with_a_silent_peer_ends_when_the_timer_wins, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h * 30);
  TlsContext client_side = verifying_client(pki.authority);

  // The server accepts and reads until the end of the stream, never answering.
  bool server_done = false;
  error_code server_ec;
  std::string server_saw;
  asio::co_spawn(
      server.executor(),
      [&]() -> asio::awaitable<void> {
        ByteStream plain = co_await listener.async_accept(asio::use_awaitable);
        std::tie(server_ec, std::ignore) = co_await asio::async_read(
            plain, asio::dynamic_buffer(server_saw), asio::as_tuple(asio::use_awaitable));
        server_done = true;
      },
      asio::detached);

  // The client races its handshake against a timer.
  std::size_t winner = 0;
  sim::SimTime started{};
  sim::SimTime ended{};
  asio::co_spawn(
      client.executor(),
      [&]() -> asio::awaitable<void> {
        ByteStream plain =
            co_await runtime::async_connect(client.network(), server_endpoint, asio::use_awaitable);
        runtime::Timer timer(client);
        timer.expires_after(handshake_timeout);
        started = world.now();
        auto result = co_await (runtime::async_tls_handshake(client, std::move(plain), client_side,
                                                             TlsRole::client, "mx.example",
                                                             asio::as_tuple(asio::use_awaitable)) ||
                                timer.async_wait(asio::as_tuple(asio::use_awaitable)));
        winner = result.index();
        ended = world.now();
      },
      asio::detached);
  world.run_until_idle();

  // The timer won at its deadline, and the abandoned handshake closed its connection: the
  // server read the client's hello and then the end of the stream.
  BOOST_TEST(winner == 1u);
  BOOST_TEST((ended - started == handshake_timeout));
  BOOST_TEST(server_done);
  BOOST_TEST(server_ec == asio::error::eof, server_ec.message());
  BOOST_TEST(!server_saw.empty());
}

struct KeyCase {
  KeyType type;
  const char* name;
};

const KeyCase key_cases[] = {
    {KeyType::ed25519, "ed25519"},
    {KeyType::ecdsa_p256, "ecdsa_p256"},
    {KeyType::rsa_2048, "rsa_2048"},
};

BOOST_AUTO_TEST_CASE(every_key_type_handshakes_with_verification_both_ways) {
  for (const KeyCase& key : key_cases) {
    BOOST_TEST_CONTEXT("key " << key.name) {
      TwoNodes w;
      const Pki pki = make_pki(w.world.wall_now() - 24h, w.world.wall_now() + 24h, key.type);
      TlsContext server_side = server_context(pki.server);
      BOOST_REQUIRE(!server_side.verify_clients(pki.authority.certificate_pem, true));
      TlsContext client_side = verifying_client(pki.authority);
      BOOST_REQUIRE(!client_side.use_certificate(pki.client.chain_pem, pki.client.private_key_pem));

      auto [accepted, connected] = w.handshake(server_side, client_side);
      BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());
      BOOST_REQUIRE_MESSAGE(!accepted.ec, accepted.ec.message());
      BOOST_TEST(connected.stream.tls_details()->peer_verified);
      BOOST_TEST(accepted.stream.tls_details()->peer_verified);
      BOOST_TEST(w.carry(w.client, connected.stream, w.server, accepted.stream, "QUIT\r\n") ==
                 "QUIT\r\n");
    }
  }
}

BOOST_FIXTURE_TEST_CASE(an_intermediate_in_the_chain_lets_the_client_reach_the_root, TwoNodes) {
  const WallTime now = world.wall_now();
  const Credentials root =
      runtime::make_certificate_authority(request("Test Root", now - 24h, now + 24h * 365)).value();
  const Credentials intermediate =
      runtime::issue_intermediate_authority(root, request("Test Sub", now - 24h, now + 24h * 90))
          .value();
  const Credentials leaf =
      runtime::issue_certificate(intermediate, request("mx.example", now - 24h, now + 24h)).value();
  TlsContext server_side = server_context(leaf);
  TlsContext client_side = verifying_client(root);

  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_TEST(!connected.ec, connected.ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_large_transfer_crosses_a_slow_link_intact, TwoNodes) {
  world.network().set_default_link({.latency = 5ms, .bytes_per_second = 1'000'000});
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);
  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());

  // Far more than one TLS record (16 KiB) and one read, in both directions.
  std::string message(300 * 1024, '\0');
  for (std::size_t i = 0; i < message.size(); ++i) {
    message[i] = static_cast<char>('A' + i % 53);
  }
  BOOST_TEST((carry(client, connected.stream, server, accepted.stream, message) == message));
  BOOST_TEST((carry(server, accepted.stream, client, connected.stream, message) == message));
}

BOOST_FIXTURE_TEST_CASE(a_half_close_sends_close_notify_and_reading_goes_on, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);
  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());

  // The client says its piece and stops sending; the server reads it, then a clean end.
  error_code client_ec;
  error_code server_ec;
  std::string server_saw;
  std::string client_saw;
  asio::co_spawn(
      client.executor(),
      [&]() -> asio::awaitable<void> {
        ByteStream& stream = connected.stream;
        co_await asio::async_write(stream, asio::buffer(std::string_view("QUIT\r\n")),
                                   asio::use_awaitable);
        stream.shutdown_send();

        // Read only once the answer has surely arrived, so that nothing but this read
        // could have taken it off the connection.
        runtime::Timer pause(client);
        pause.expires_after(1s);
        co_await pause.async_wait(asio::use_awaitable);
        std::tie(client_ec, std::ignore) = co_await asio::async_read(
            stream, asio::dynamic_buffer(client_saw), asio::as_tuple(asio::use_awaitable));
      },
      asio::detached);
  asio::co_spawn(
      server.executor(),
      [&]() -> asio::awaitable<void> {
        ByteStream& stream = accepted.stream;
        std::tie(server_ec, std::ignore) = co_await asio::async_read(
            stream, asio::dynamic_buffer(server_saw), asio::as_tuple(asio::use_awaitable));

        // The server still answers, and the client, still reading, gets all of it.
        co_await asio::async_write(stream, asio::buffer(std::string_view("221 bye\r\n")),
                                   asio::use_awaitable);
        stream.shutdown_send();
      },
      asio::detached);
  world.run_until_idle();

  BOOST_TEST(server_saw == "QUIT\r\n");
  BOOST_TEST(server_ec == asio::error::eof, server_ec.message());
  BOOST_TEST(client_saw == "221 bye\r\n");
  BOOST_TEST(client_ec == asio::error::eof, client_ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_peer_that_closes_without_close_notify_reads_as_truncated, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);
  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());

  accepted.stream.close();
  error_code read_ec;
  std::string read;
  asio::co_spawn(
      client.executor(),
      [&]() -> asio::awaitable<void> {
        std::tie(read_ec, std::ignore) = co_await asio::async_read(
            connected.stream, asio::dynamic_buffer(read), asio::as_tuple(asio::use_awaitable));
      },
      asio::detached);
  world.run_until_idle();

  BOOST_TEST(read_ec == asio::ssl::error::stream_truncated, read_ec.message());
}

BOOST_FIXTURE_TEST_CASE(a_read_cancelled_by_a_timer_leaves_the_stream_usable_to_close, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);
  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());

  // Nothing arrives, so the read loses to the timer and ends with the abort.
  std::size_t winner = 0;
  bool done = false;
  asio::co_spawn(
      client.executor(),
      [&]() -> asio::awaitable<void> {
        char byte = 0;
        runtime::Timer timer(client);
        timer.expires_after(10s);
        auto result = co_await (connected.stream.async_read_some(
                                    asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable)) ||
                                timer.async_wait(asio::as_tuple(asio::use_awaitable)));
        winner = result.index();
        connected.stream.close();
        done = true;
      },
      asio::detached);
  BOOST_TEST(world.run_until_idle());
  BOOST_TEST(done);
  BOOST_TEST(winner == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_crash_abandons_a_pending_tls_read_and_resets_the_peer, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);
  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());

  // Each side's coroutine owns its stream and waits to read; a crash must not outlive
  // what the client's node held, so its stream goes into its coroutine.
  bool client_resumed = false;
  error_code server_ec;
  asio::co_spawn(
      client.executor(),
      [&, stream = std::move(connected.stream)]() mutable -> asio::awaitable<void> {
        char byte = 0;
        co_await stream.async_read_some(asio::buffer(&byte, 1),
                                        asio::as_tuple(asio::use_awaitable));
        client_resumed = true;
      },
      asio::detached);
  asio::co_spawn(
      server.executor(),
      [&, stream = std::move(accepted.stream)]() mutable -> asio::awaitable<void> {
        char byte = 0;
        std::tie(server_ec, std::ignore) = co_await stream.async_read_some(
            asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
      },
      asio::detached);
  world.run_until_idle();

  // The crashed client's read never resumes; the server's read sees the reset.
  client.crash();
  BOOST_TEST(world.run_until_idle());
  BOOST_TEST(!client_resumed);
  BOOST_TEST(server_ec == asio::error::connection_reset, server_ec.message());
}

// Runs a verified handshake and one exchange over a metered link with fresh Ed25519
// certificates, and returns the trace's digest.
std::string traced_exchange() {
  TwoNodes nodes;
  nodes.world.network().set_default_link({.latency = 1ms, .bytes_per_second = 100'000});
  const WallTime now = nodes.world.wall_now();
  const Pki pki = make_pki(now - 24h, now + 24h);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);

  auto [accepted, connected] = nodes.handshake(server_side, client_side);
  BOOST_REQUIRE_MESSAGE(!connected.ec, connected.ec.message());
  nodes.carry(nodes.client, connected.stream, nodes.server, accepted.stream, "EHLO x\r\n");
  nodes.world.record("test", "test.done", {});
  return nodes.world.trace().digest();
}

BOOST_AUTO_TEST_CASE(ed25519_handshakes_take_the_same_virtual_time_every_run) {
  // At 100 kB/s every byte costs 10 virtual microseconds, so a handshake whose size
  // depended on its randomness would move the trace's timestamps.
  const std::string first = traced_exchange();
  for (int run = 0; run < 3; ++run) {
    BOOST_TEST(traced_exchange() == first);
  }
}

// A folder of its own under the system's temporary folder, removed at the end.
struct TemporaryFolder {
  TemporaryFolder() {
    // mkdtemp(3) replaces the six 'X' that end the template.
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("tls-test-" + std::string(6, 'X'))).string();
    BOOST_REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TemporaryFolder() { std::filesystem::remove_all(path); }

  std::string write(const std::string& name, const std::string& text) const {
    const std::string file = (path / name).string();
    std::ofstream(file) << text;
    return file;
  }

  std::filesystem::path path;
};

BOOST_FIXTURE_TEST_CASE(contexts_load_certificates_keys_and_authorities_from_files, TwoNodes) {
  const Pki pki = make_pki(world.wall_now() - 24h, world.wall_now() + 24h);
  const TemporaryFolder folder;
  const std::string chain = folder.write("server.crt", pki.server.chain_pem);
  const std::string key = folder.write("server.key", pki.server.private_key_pem);
  const std::string authority = folder.write("ca.crt", pki.authority.certificate_pem);

  TlsContext server_side = TlsContext::server_from_files(chain, key).value();
  TlsContext client_side = TlsContext::client_verifying_file(authority).value();
  auto [accepted, connected] = handshake(server_side, client_side);
  BOOST_TEST(!connected.ec, connected.ec.message());
  BOOST_TEST(connected.stream.tls_details()->peer_verified);

  // A key file that belongs to another certificate is refused at load time.
  BOOST_TEST(!TlsContext::server_from_files(authority, key));
}

BOOST_AUTO_TEST_CASE(contexts_load_pem_text_and_report_what_is_wrong) {
  const WallTime now = sim::WorldOptions().wall_start;
  const Pki pki = make_pki(now - 24h, now + 24h);
  const Pki other = make_pki(now - 24h, now + 24h);

  auto garbage = TlsContext::server("not a certificate", pki.server.private_key_pem);
  BOOST_REQUIRE(!garbage);
  BOOST_TEST((garbage.error().category() == asio::error::get_ssl_category()));
  auto mismatched = TlsContext::server(pki.server.chain_pem, other.server.private_key_pem);
  BOOST_REQUIRE(!mismatched);
  BOOST_TEST((mismatched.error().category() == asio::error::get_ssl_category()));
  BOOST_TEST(!TlsContext::client_verifying("not a certificate"));
  BOOST_TEST(!TlsContext::server_from_files("/nonexistent/cert.pem", "/nonexistent/key.pem"));
  BOOST_TEST(!TlsContext::client_verifying_file("/nonexistent/ca.pem"));
  BOOST_TEST(TlsContext::server(pki.server.chain_pem, pki.server.private_key_pem).has_value());
  BOOST_TEST(TlsContext::client_verifying_system().has_value());
}

// The same code over real TCP: a loopback handshake checked against the real clock.
BOOST_AUTO_TEST_CASE(a_verified_handshake_works_over_real_tcp_on_loopback) {
  asio::io_context io;
  runtime::PosixStorage storage;
  runtime::RealHost host(
      runtime::RealHostOptions{.name = "tls-test", .seed = 1, .io = io, .storage = storage});
  const WallTime now = host.clock().wall_now();
  const Pki pki = make_pki(now - 1h, now + 1h);
  TlsContext server_side = server_context(pki.server);
  TlsContext client_side = verifying_client(pki.authority);
  runtime::Listener listener = host.network().listen({"127.0.0.1", 0}).value();

  // Handshake and one line each way, under a limit that fails the test if anything hangs.
  Outcome accepted;
  Outcome connected;
  std::string server_saw(6, '\0');
  std::string client_saw(9, '\0');
  bool finished = false;
  auto exchange = [&]() -> asio::awaitable<void> {
    co_await (accept_tls(host, listener, server_side, accepted) &&
              connect_tls(host, listener.local_endpoint(), client_side, "127.0.0.1", connected));
    if (accepted.ec || connected.ec) {
      co_return;
    }
    co_await asio::async_write(connected.stream, asio::buffer(std::string_view("QUIT\r\n")),
                               asio::use_awaitable);
    co_await asio::async_read(accepted.stream, asio::buffer(server_saw), asio::use_awaitable);
    co_await asio::async_write(accepted.stream, asio::buffer(std::string_view("221 bye\r\n")),
                               asio::use_awaitable);
    co_await asio::async_read(connected.stream, asio::buffer(client_saw), asio::use_awaitable);
  };
  asio::steady_timer limit(io, 10s);
  limit.async_wait([&](error_code ec) {
    if (!ec) {
      io.stop();
    }
  });
  asio::co_spawn(io, exchange(), [&](std::exception_ptr thrown) {
    finished = !thrown;
    limit.cancel();
  });
  io.run();

  BOOST_TEST(finished);
  BOOST_TEST(!accepted.ec, accepted.ec.message());
  BOOST_TEST(!connected.ec, connected.ec.message());
  BOOST_TEST(server_saw == "QUIT\r\n");
  BOOST_TEST(client_saw == "221 bye\r\n");
  BOOST_TEST(connected.stream.tls_details()->peer_verified);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
