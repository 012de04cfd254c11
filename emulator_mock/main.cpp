// mta-emulator-mock: the threat-emulation service mock over the real world (TCP, system
// clocks).
//   mta-emulator-mock --listen HOST:PORT [--config FILE] [--certificate F --private-key F]
//                     [--seed N]
// Exit codes: 0 after SIGTERM or SIGINT, 1 when it cannot listen, 2 bad usage or input.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "emulator_mock/behaviour_parser.hpp"
#include "emulator_mock/emulator.hpp"
#include "runtime/real/posix_storage.hpp"
#include "runtime/real/real_host.hpp"
#include "runtime/tls.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

// After SIGTERM, connections and emulations are dropped at once; this bounds the wait for
// their coroutines to unwind.
constexpr auto shutdown_limit = std::chrono::seconds(5);

// The emulator's events (uploads, verdicts, faults) as JSON lines on stderr.
class EventsToStderr final : public runtime::EventSink {
 public:
  using runtime::EventSink::record;
  void record(std::string_view event, std::span<const runtime::Field> fields) override {
    std::string line = "{\"event\": ";
    runtime::append_json_string(line, event);
    runtime::append_json_fields(line, fields);
    line += "}\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
};

std::optional<std::string> read_text_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << path << ": cannot read (" << what << "): " << std::strerror(errno) << "\n";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mta-emulator-mock: a threat-emulation service with scriptable verdicts, "
               "delays, capacity and faults"};
  std::string listen;
  std::string config_path;
  std::string certificate_path;
  std::string key_path;
  std::uint64_t seed = 0;
  app.add_option("--listen", listen, "HOST:PORT to serve on")->required();
  app.add_option("--config", config_path, "the behaviour (YAML); absent: EICAR is malicious, "
                                          "everything else benign, no delay");
  app.add_option("--certificate", certificate_path, "serve HTTPS with this PEM chain");
  app.add_option("--private-key", key_path, "the PEM private key of --certificate");
  app.add_option("--seed", seed, "seed for delays and fault draws (default: random, printed)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? exit_ok : exit_usage;
  }

  // Inputs: the address, the behaviour, the TLS identity.
  auto address = runtime::Endpoint::parse(listen);
  if (!address) {
    std::cerr << "mta-emulator-mock: --listen: expected HOST:PORT or [V6]:PORT, got \"" << listen
              << "\"\n";
    return exit_usage;
  }
  emulator_mock::Behaviour behaviour;
  if (!config_path.empty()) {
    auto text = read_text_file(config_path, "config");
    if (!text) {
      return exit_usage;
    }
    auto parsed = emulator_mock::parse_behaviour(*text, config_path);
    if (!parsed) {
      std::cerr << parsed.error_text();
      return exit_usage;
    }
    behaviour = std::move(*parsed.behaviour);
  }
  if (certificate_path.empty() != key_path.empty()) {
    std::cerr << "mta-emulator-mock: --certificate and --private-key go together\n";
    return exit_usage;
  }
  std::optional<runtime::TlsContext> tls;
  if (!certificate_path.empty()) {
    auto certificate = read_text_file(certificate_path, "certificate");
    auto key = read_text_file(key_path, "private key");
    if (!certificate || !key) {
      return exit_usage;
    }
    auto context = runtime::TlsContext::server(*certificate, *key);
    if (!context) {
      std::cerr << certificate_path << ": " << context.error().message() << "\n";
      return exit_usage;
    }
    tls.emplace(std::move(*context));
  }

  // The world: one io_context on this thread.
  if (seed == 0) {
    seed = runtime::seed_from_entropy();
  }
  std::cerr << "mta-emulator-mock: seed " << seed << "\n";
  boost::asio::io_context io(1);
  runtime::PosixStorage storage;
  EventsToStderr events;
  runtime::RealHost host(
      {.name = "mta-emulator-mock", .seed = seed, .io = io, .storage = storage, .events = &events});
  emulator_mock::Emulator emulator(host, std::move(behaviour));
  if (tls) {
    emulator.use_tls(std::move(*tls));
  }
  if (auto ec = emulator.start(*address)) {
    std::cerr << "mta-emulator-mock: cannot listen on " << listen << ": " << ec.message() << "\n";
    return exit_failed;
  }

  // SIGTERM or SIGINT: stop, let the coroutines unwind, exit 0.
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) {
      emulator.stop();
      io.stop();
    }
  });
  io.run();
  // What stop() left queued finishes now; run_for returns once nothing is left.
  io.restart();
  io.run_for(shutdown_limit);
  return exit_ok;
}
