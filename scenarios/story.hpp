// The product's story for `mta-sim demo`, in virtual time: a source on the internet sends
// one mail over STARTTLS with an EICAR attachment and a clean one; the gateway holds it
// while the sandbox (the emulator mock) takes minutes per file; in `mta` mode the source
// has its 250 at once, in `inline` mode it waits for the verdicts; the internal server
// receives the mail with EICAR replaced by a notice and the clean file intact.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace scenarios {

struct StoryEvent {
  double at_seconds = 0;  // virtual seconds since the world started
  std::string who;        // "source", "gateway", "sandbox", "internal"
  std::string what;
};

struct StoryResult {
  std::string mode;  // "mta" or "inline"
  std::vector<StoryEvent> timeline;
  double source_held_seconds = 0;  // from the end of the data to the 250
  bool source_got_250 = false;
  bool delivered = false;             // the internal server has the mail
  bool eicar_delivered = false;       // EICAR reached the internal server (must not)
  bool clean_file_intact = false;     // the clean part arrived byte for byte
  bool original_quarantined = false;  // the quarantine address got the original, EICAR and all
  std::vector<std::string> verdicts;  // the X-Threat-Emulation values delivered
  std::string trace_digest;
};

struct StoryOptions {
  std::uint64_t seed = 1;
  bool inline_mode = false;
  std::chrono::seconds sandbox_delay{180};  // per file
};

StoryResult run_story(const StoryOptions& options);

}  // namespace scenarios
