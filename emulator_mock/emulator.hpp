// The threat-emulation service mock: a node of the world that answers the emulation
// protocol (DESIGN.md, "Emulation protocol") over HTTP or HTTPS, with verdicts, delays,
// capacity and faults as its Behaviour says, and a control endpoint (docs/emulator.md).
// It touches the world only through runtime::Host, so the same object runs in a simulated
// world and, through the mta-emulator-mock program, on real sockets.
#pragma once

#include <memory>

#include "emulator_mock/behaviour.hpp"
#include "emulator_mock/counters.hpp"
#include "runtime/endpoint.hpp"
#include "runtime/error.hpp"

namespace runtime {
class Host;
class TlsContext;
}  // namespace runtime

namespace emulator_mock {

class Service;

// The paths of the protocol and of the control endpoint.
inline constexpr std::string_view query_path = "/tecloud/api/v1/file/query";
inline constexpr std::string_view upload_path = "/tecloud/api/v1/file/upload";
inline constexpr std::string_view counters_path = "/control/counters";
inline constexpr std::string_view behaviour_path = "/control/behaviour";
inline constexpr std::string_view reset_path = "/control/reset";

class Emulator {
 public:
  Emulator(runtime::Host& host, Behaviour behaviour);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Serves HTTPS with `context` (a server context) instead of HTTP; call before start().
  void use_tls(runtime::TlsContext context);

  // Starts listening on `address` and serving. Outage windows count from this moment.
  // Errors: as runtime::Network::listen.
  runtime::error_code start(const runtime::Endpoint& address);

  // Stops listening, drops open connections and cancels running emulations; the object
  // may then be destroyed once its executor has run what stop() left queued.
  void stop();

  // Replaces the behaviour. New uploads, answers and faults follow it at once; running
  // emulations keep the delays they drew; a larger capacity starts waiting ones now.
  void set_behaviour(Behaviour behaviour);
  const Behaviour& behaviour() const;

  // Forgets every file and zeroes the counters; running emulations are abandoned.
  void reset();

  Counters counters() const;
  // The address listened on (the chosen port when 0 was asked for).
  runtime::Endpoint local_endpoint() const;

 private:
  std::shared_ptr<Service> service_;
};

}  // namespace emulator_mock
