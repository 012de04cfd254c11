// Faults the emulator can inject: the ways a real sandbox service misbehaves. A fault
// belongs to the whole service (Behaviour::faults, optionally only inside a time window,
// an "outage") or to one rule (the files that rule matches).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

#include "emulator_mock/status.hpp"

namespace emulator_mock {

enum class FaultKind {
  http_500,        // HTTP 500 with a plain-text body instead of an API answer
  http_503,        // HTTP 503, as a service shedding load does
  status,          // an API answer carrying `code` (1005, 1009, 1011...) instead
  refuse,          // stop listening: connections are refused (service-wide windows only)
  hang,            // read the request, then answer nothing until the client gives up
  reset,           // send the first half of the answer, then drop the connection
  malformed_json,  // HTTP 200 whose body is not valid JSON
  slow_body,       // the true answer, trickled out `chunk_bytes` at a time
};

std::string_view fault_kind_name(FaultKind kind);
std::optional<FaultKind> fault_kind_from_name(std::string_view name);

struct Fault {
  FaultKind kind = FaultKind::http_500;
  double probability = 1.0;  // drawn per request from the emulator's generator when < 1
  bool on_query = true;      // applies to file/query requests
  bool on_upload = true;     // applies to file/upload requests
  StatusCode code = StatusCode::internal_error;  // for FaultKind::status
  // The outage window, relative to the emulator's start; a fault without `from` applies
  // at all times. `from` is inclusive, `until` exclusive; no `until` means forever.
  std::optional<std::chrono::milliseconds> from;
  std::optional<std::chrono::milliseconds> until;
  // For FaultKind::slow_body: bytes per write and the pause between writes.
  std::size_t chunk_bytes = 16;
  std::chrono::milliseconds interval{1000};
  // For FaultKind::hang: how long the connection is held before it is closed.
  std::chrono::milliseconds hang_for{std::chrono::hours(1)};

  // Whether `elapsed` (time since the emulator started) falls inside the window.
  bool active_at(std::chrono::milliseconds elapsed) const {
    return (!from || elapsed >= *from) && (!until || elapsed < *until);
  }

  friend bool operator==(const Fault&, const Fault&) = default;
};

}  // namespace emulator_mock
