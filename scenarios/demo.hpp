// A small demonstration world for `mta-sim demo`: a source sends messages over a slow
// link to a relay that stores each one durably before acknowledging it; the relay
// crashes and restarts, the link is cut and healed. It shows virtual time, the network,
// the disk's crash semantics and the trace, before the gateway takes the stage.
#pragma once

#include <cstdint>
#include <string>

namespace scenarios {

struct DemoResult {
  std::string trace_digest;
  std::uint64_t trace_lines = 0;
  std::uint64_t messages_acknowledged = 0;
  std::uint64_t messages_on_disk = 0;
  double virtual_seconds = 0;
};

struct DemoOptions {
  std::uint64_t seed = 1;
  // Receives each trace line as it is written (nullptr: none).
  void (*on_trace_line)(std::string_view line, void* context) = nullptr;
  void* context = nullptr;
};

DemoResult run_demo(const DemoOptions& options);

}  // namespace scenarios
