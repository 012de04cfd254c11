// What the emulator has done since it started (or was last reset), for assertions in
// tests and scenarios. Read through Emulator::counters() or GET /control/counters.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace emulator_mock {

struct Counters {
  std::uint64_t connections = 0;  // accepted (TLS handshakes included, failed or not)
  std::uint64_t queries = 0;      // requests to file/query, answered or not
  std::uint64_t uploads = 0;      // requests to file/upload, answered or not
  std::uint64_t files_seen = 0;   // distinct files whose upload was accepted
  std::uint64_t verdicts_benign = 0;     // emulations that finished benign
  std::uint64_t verdicts_malicious = 0;  // ... malicious
  std::uint64_t verdicts_unknown = 0;    // ... unknown
  std::uint64_t bad_requests = 0;        // answers with 1008 BAD_REQUEST
  std::uint64_t faults_injected = 0;     // every fault that fired, refuse windows included
  std::map<std::string, std::uint64_t> faults_by_kind;  // "http_503" -> 2
  std::map<int, std::uint64_t> answers;                 // API answers by status code
  std::uint64_t emulations_running = 0;                 // now
  std::uint64_t emulations_waiting = 0;                 // now, for a capacity slot

  friend bool operator==(const Counters&, const Counters&) = default;
};

}  // namespace emulator_mock
