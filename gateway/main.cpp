// mta-gateway: the gateway program over the real world (TCP, system clocks, POSIX files).
//   mta-gateway --config FILE [--log-format text|json]
//   mta-gateway --check-config FILE
//   mta-gateway queue list|show ID|flush|delete ID|release ID --config FILE
// Exit codes: 0 success, 1 a failed operation (queue command), 2 bad usage or input.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "gateway/observability/logger.hpp"
#include "gateway/queue/queue_admin.hpp"
#include "gateway/smtp/message_fields.hpp"
#include "gateway/spool/spool.hpp"
#include "runtime/real/posix_storage.hpp"
#include "runtime/real/real_host.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

// SIGTERM to exit: 10 seconds at most (DESIGN.md); sessions get most of it.
constexpr auto shutdown_grace = std::chrono::seconds(8);
constexpr auto shutdown_poll = std::chrono::milliseconds(100);

// The seam's events (protocol steps, queue transitions) become debug log lines.
class EventsToLog final : public runtime::EventSink {
 public:
  gateway::Logger* logger = nullptr;
  using runtime::EventSink::record;
  void record(std::string_view event, std::span<const runtime::Field> fields) override {
    if (logger != nullptr) {
      logger->log(gateway::LogLevel::debug, event, fields);
    }
  }
};

runtime::Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return runtime::error_code(errno, boost::system::system_category());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Loads and validates a config, printing every error; nullopt on failure.
std::optional<gateway::Config> load_config(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) {
    std::cerr << path << ": cannot read: " << text.error().message() << "\n";
    return std::nullopt;
  }
  auto parsed = gateway::parse_config(*text, path);
  if (!parsed) {
    const gateway::ConfigErrors errors = parsed.error();
    for (const auto& error : errors.errors()) {
      std::cerr << error.to_string() << "\n";
    }
    return std::nullopt;
  }
  return std::move(*parsed);
}

// The files a config names must be readable at startup; the library never opens them.
bool read_inputs(const gateway::Config& config, gateway::GatewayInputs& inputs) {
  inputs.read_ca_file = read_text_file;
  if (!config.tls) {
    return true;
  }
  auto certificate = read_text_file(config.tls->certificate_file);
  auto key = read_text_file(config.tls->private_key_file);
  if (!certificate || !key) {
    const auto& [path, ec] = !certificate
                                 ? std::pair(config.tls->certificate_file, certificate.error())
                                 : std::pair(config.tls->private_key_file, key.error());
    std::cerr << path << ": cannot read (tls): " << ec.message() << "\n";
    return false;
  }
  inputs.tls_certificate_pem = std::move(*certificate);
  inputs.tls_private_key_pem = std::move(*key);
  return true;
}

int check_config(const std::string& path) {
  auto config = load_config(path);
  if (!config) {
    return exit_usage;
  }

  // Build every part once, without starting anything: TLS material and CA files too.
  boost::asio::io_context io;
  runtime::PosixStorage storage;
  runtime::RealHost host({.name = "mta-gateway", .seed = 1, .io = io, .storage = storage});
  gateway::GatewayInputs inputs;
  if (!read_inputs(*config, inputs)) {
    return exit_usage;
  }
  std::string error;
  if (!gateway::Gateway::create(host, *config, std::move(inputs), error)) {
    std::cerr << path << ": " << error << "\n";
    return exit_usage;
  }
  std::cout << path << ": configuration is valid\n";
  return exit_ok;
}

int run(const std::string& path, gateway::LogFormat format) {
  auto config = load_config(path);
  if (!config) {
    return exit_usage;
  }
  gateway::GatewayInputs inputs;
  if (!read_inputs(*config, inputs)) {
    return exit_usage;
  }
  inputs.log_format = format;
  inputs.log_sink = [](gateway::LogLevel, std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
  };

  boost::asio::io_context io(1);
  runtime::PosixStorage storage;
  EventsToLog events;
  runtime::RealHost host({.name = "mta-gateway",
                          .seed = runtime::seed_from_entropy(),
                          .io = io,
                          .storage = storage,
                          .events = &events});
  std::string error;
  auto gateway = gateway::Gateway::create(host, *config, std::move(inputs), error);
  if (!gateway) {
    std::cerr << path << ": " << error << "\n";
    return exit_usage;
  }
  events.logger = &gateway->log();
  if (gateway->start(error)) {
    std::cerr << "mta-gateway: " << error << "\n";
    return exit_failed;
  }

  // SIGTERM or SIGINT: stop accepting, let sessions and deliveries finish, then exit.
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  boost::asio::steady_timer poll(io);
  runtime::SteadyTime give_up{};
  std::function<void()> wait_for_idle = [&] {
    if (gateway->idle() || host.clock().now() >= give_up) {
      io.stop();
      return;
    }
    poll.expires_after(shutdown_poll);
    poll.async_wait([&](boost::system::error_code) { wait_for_idle(); });
  };
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) {
      return;
    }
    gateway->stop();
    give_up = host.clock().now() + shutdown_grace;
    wait_for_idle();
  });
  io.run();
  gateway->log().info("gateway.stopped", {});
  return exit_ok;
}

void print_listing(const gateway::QueueListing& item) {
  std::cout << item.queue_id.text() << "\t"
            << (item.state ? gateway::message_state_name(*item.state) : "unreadable") << "\t"
            << (item.sender.empty() ? "<>" : item.sender) << "\t" << item.recipient_count
            << " rcpt\t" << item.size_bytes << " bytes";
  if (item.next_attempt_time) {
    std::cout << "\tnext " << gateway::smtp::format_message_date(*item.next_attempt_time);
  }
  if (!item.last_error.empty()) {
    std::cout << "\t" << item.last_error;
  }
  if (item.problem) {
    std::cout << "\t(" << item.problem.message() << ")";
  }
  std::cout << "\n";
}

int queue_command(const std::string& path, const std::string& verb, const std::string& id_text) {
  auto config = load_config(path);
  if (!config) {
    return exit_usage;
  }
  boost::asio::io_context io;
  runtime::PosixStorage storage;
  runtime::RealHost host({.name = "mta-gateway-queue",
                          .seed = runtime::seed_from_entropy(),
                          .io = io,
                          .storage = storage});
  gateway::Spool spool(host, config->spool_dir);
  gateway::QueueAdmin admin(spool);

  // Commands that name a message need a valid queue id.
  std::optional<gateway::QueueId> id;
  if (verb == "show" || verb == "delete" || verb == "release") {
    id = gateway::QueueId::parse(id_text);
    if (!id) {
      std::cerr << "mta-gateway queue " << verb << ": not a queue id: \"" << id_text << "\"\n";
      return exit_usage;
    }
  }

  auto report = [&](runtime::error_code ec) {
    if (ec) {
      std::cerr << "mta-gateway queue " << verb << ": " << ec.message() << "\n";
      return exit_failed;
    }
    std::cout << verb << ": requested; a running gateway applies it within a second, a "
              << "stopped one when it starts\n";
    return exit_ok;
  };
  if (verb == "list") {
    auto listing = admin.list();
    if (!listing) {
      std::cerr << "mta-gateway queue list: " << listing.error().message() << "\n";
      return exit_failed;
    }
    for (const auto& item : *listing) {
      print_listing(item);
    }
    return exit_ok;
  }
  if (verb == "show") {
    auto details = admin.show(*id);
    if (!details) {
      std::cerr << "mta-gateway queue show: " << details.error().message() << "\n";
      return exit_failed;
    }
    const auto& envelope = details->envelope;
    std::cout << "queue id: " << id->text() << "\n"
              << "state: " << gateway::message_state_name(details->record.state) << "\n"
              << "sender: " << (envelope.mail_from.empty() ? "<>" : envelope.mail_from) << "\n";
    for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
      std::cout << "recipient: " << envelope.recipients[i] << "\n";
    }
    std::cout << "client: " << envelope.client_address << " (" << envelope.helo_name << ")\n"
              << "size: " << details->size_bytes << " bytes\n"
              << "attempts: " << details->record.attempts << "\n"
              << "last error: " << details->record.last_error << "\n\n"
              << details->header_section << (details->header_truncated ? "\n[...]\n" : "\n");
    return exit_ok;
  }
  if (verb == "flush") {
    return report(admin.flush());
  }
  if (verb == "delete") {
    return report(admin.remove(*id));
  }
  return report(admin.release(*id));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mta-gateway: a store-and-forward SMTP gateway that holds mail for inspection"};
  std::string config_path;
  std::string check_path;
  std::string log_format = "text";
  app.add_option("--config", config_path, "the gateway configuration (YAML)");
  app.add_option("--check-config", check_path, "validate a configuration and exit");
  app.add_option("--log-format", log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));

  auto* queue = app.add_subcommand("queue", "administer the spool of a running or stopped gateway");
  std::string verb;
  std::string id;
  queue->add_option("verb", verb, "list, show, flush, delete or release")
      ->required()
      ->check(CLI::IsMember({"list", "show", "flush", "delete", "release"}));
  queue->add_option("id", id, "the queue id (show, delete, release)");
  queue->add_option("--config", config_path, "the gateway configuration (YAML)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? exit_ok : exit_usage;
  }

  if (*queue) {
    if (config_path.empty()) {
      std::cerr << "mta-gateway queue: --config FILE is required\n";
      return exit_usage;
    }
    if (verb != "list" && verb != "flush" && id.empty()) {
      std::cerr << "mta-gateway queue " << verb << ": a queue id is required\n";
      return exit_usage;
    }
    return queue_command(config_path, verb, id);
  }
  if (!check_path.empty()) {
    return check_config(check_path);
  }
  if (config_path.empty()) {
    std::cerr << "mta-gateway: --config FILE or --check-config FILE is required\n" << app.help();
    return exit_usage;
  }
  return run(config_path,
             log_format == "json" ? gateway::LogFormat::json : gateway::LogFormat::text);
}
