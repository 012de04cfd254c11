// The TE client over https:// against the emulator mock serving HTTPS: with
// emulation.ca_file's context it accepts only a service whose certificate chains to those
// anchors for the url's host (a service that fails the check is unreachable, as no trusted
// connection can be made); without one it encrypts and checks nothing.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/test/unit_test.hpp>

#include "emulator_mock/behaviour.hpp"
#include "emulator_mock/emulator.hpp"
#include "emulator_mock/file_scan.hpp"
#include "gateway/config.hpp"
#include "gateway/emulation/te_client.hpp"
#include "runtime/certificates.hpp"
#include "runtime/tls.hpp"
#include "sim/world.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using gateway::emulation::Judgement;
using gateway::emulation::NotScannedReason;
using gateway::emulation::Verdict;

const std::string service_address = "10.0.0.5";

runtime::Credentials authority(sim::World& world, const std::string& name) {
  const auto start = world.wall_now() - 24h;
  return runtime::make_certificate_authority(
             {.common_name = name, .not_before = start, .not_after = start + 24h * 400})
      .value();
}

// The service's certificate from `issuer`, for `ip`.
runtime::Credentials service_certificate(sim::World& world, const runtime::Credentials& issuer,
                                         const std::string& ip) {
  const auto start = world.wall_now() - 24h;
  return runtime::issue_certificate(issuer, {.common_name = "sandbox",
                                             .ip_addresses = {ip},
                                             .not_before = start,
                                             .not_after = start + 24h * 400,
                                             .serial = 2})
      .value();
}

// Judges the EICAR file once over https; the service presents `served`, the client trusts
// `trusted` (nothing: encrypt only).
Judgement judge_over_https(sim::World& world, const runtime::Credentials& served,
                           const std::optional<runtime::Credentials>& trusted) {
  auto& gateway_node = world.add_node("gw", "10.0.0.1");
  auto& service_node = world.add_node("te", service_address);
  service_node.boot([&](runtime::Host& host) -> std::shared_ptr<void> {
    auto emulator = std::make_shared<emulator_mock::Emulator>(host, emulator_mock::Behaviour{});
    emulator->use_tls(
        runtime::TlsContext::server(served.chain_pem, served.private_key_pem).value());
    BOOST_TEST_REQUIRE(!emulator->start(runtime::Endpoint{service_address, 443}));
    return emulator;
  });

  gateway::Emulation settings;
  settings.url = "https://" + service_address + ":443";
  settings.poll_interval = 5s;
  std::optional<Judgement> judged;
  std::shared_ptr<gateway::emulation::TeClient> client;
  const std::string eicar(emulator_mock::eicar_test_string());
  gateway_node.boot([&](runtime::Host& host) -> std::shared_ptr<void> {
    std::optional<runtime::TlsContext> verifying;
    if (trusted) {
      verifying.emplace(runtime::TlsContext::client_verifying(trusted->certificate_pem).value());
    }
    client = std::make_shared<gateway::emulation::TeClient>(host, settings, std::move(verifying));
    auto run = [](runtime::Host& h, std::shared_ptr<gateway::emulation::TeClient> c,
                  std::string bytes, std::optional<Judgement>& out) -> asio::awaitable<void> {
      gateway::emulation::FileToJudge file;
      file.sha256 = emulator_mock::sha256_hex(bytes);
      file.file_name = "eicar.com";
      file.size_bytes = bytes.size();
      file.read = [bytes](std::uint64_t offset,
                          std::span<char> buffer) -> runtime::Result<std::size_t> {
        const std::size_t count =
            std::min<std::size_t>(buffer.size(), bytes.size() - static_cast<std::size_t>(offset));
        std::copy_n(bytes.data() + offset, count, buffer.data());
        return count;
      };
      out = co_await c->judge(file, h.clock().now() + 10min);
    };
    asio::co_spawn(host.executor(), run(host, client, eicar, judged), asio::detached);
    return client;
  });
  BOOST_TEST_REQUIRE(world.run_until([&] { return judged.has_value(); }, world.now() + 1h));
  return *judged;
}

BOOST_AUTO_TEST_SUITE(emulation_client_tls)

BOOST_AUTO_TEST_CASE(a_service_whose_certificate_chains_to_ca_file_is_trusted) {
  sim::World world;
  const auto ca = authority(world, "Sandbox CA");
  const auto judged = judge_over_https(world, service_certificate(world, ca, service_address), ca);
  BOOST_TEST((judged == Judgement::of(Verdict::malicious)));
}

BOOST_AUTO_TEST_CASE(a_service_with_a_certificate_from_another_authority_is_refused) {
  sim::World world;
  const auto ca = authority(world, "Sandbox CA");
  const auto other = authority(world, "Someone Else");
  const auto judged =
      judge_over_https(world, service_certificate(world, other, service_address), ca);
  BOOST_TEST((judged == Judgement::not_scanned(NotScannedReason::unreachable)));
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_host_is_refused) {
  sim::World world;
  const auto ca = authority(world, "Sandbox CA");
  const auto judged = judge_over_https(world, service_certificate(world, ca, "10.0.0.6"), ca);
  BOOST_TEST((judged == Judgement::not_scanned(NotScannedReason::unreachable)));
}

BOOST_AUTO_TEST_CASE(without_ca_file_https_only_encrypts) {
  sim::World world;
  const auto other = authority(world, "Someone Else");
  const auto judged =
      judge_over_https(world, service_certificate(world, other, service_address), std::nullopt);
  BOOST_TEST((judged == Judgement::of(Verdict::malicious)));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
