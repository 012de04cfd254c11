// The JSON of the emulation protocol: the request object clients send and the answer
// object the emulator returns (DESIGN.md, "Emulation protocol"), and the counters as the
// control endpoint shows them. Boost.JSON stays inside api_json.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "emulator_mock/counters.hpp"
#include "emulator_mock/status.hpp"

namespace emulator_mock {

inline constexpr std::size_t max_request_json_bytes = 64 * 1024;

struct ApiRequest {
  std::string sha256;     // lower-case hex, or empty when the request named none
  std::string file_name;  // empty when the request named none
};

// Reads {"request": {"sha256": ..., "file_name": ..., "features": [...]}}. Nothing when the
// text is not such an object, is larger than max_request_json_bytes, names a sha256 that is
// not 64 hex digits, or lists features without "te". An upload's request may omit sha256.
std::optional<ApiRequest> parse_api_request(std::string_view json, bool sha256_required);

// {"response": {"status": {"code": N, "label": L}, "sha256": ..., "file_name": ...,
//  "te": {"combined_verdict": V, "status": {...}}}}. V is the verdict for FOUND and
// "unknown" otherwise.
std::string render_answer(StatusCode code, std::string_view sha256, std::string_view file_name,
                          std::optional<Verdict> verdict);

std::string render_counters(const Counters& counters);

}  // namespace emulator_mock
