// The words of the emulation protocol: the status codes an answer carries and the verdict
// an emulation reaches. The numbers and labels are the wire contract (DESIGN.md,
// "Emulation protocol"), so they live in one table.
#pragma once

#include <optional>
#include <string_view>

namespace emulator_mock {

enum class StatusCode : int {
  found = 1001,
  upload_success = 1002,
  pending = 1003,
  not_found = 1004,
  no_quota = 1005,
  partially_found = 1006,
  file_type_not_supported = 1007,
  bad_request = 1008,
  internal_error = 1009,
  forbidden = 1010,
  not_enough_resources = 1011,
};

inline constexpr int first_status_code = 1001;
inline constexpr int last_status_code = 1011;

// "FOUND", "UPLOAD_SUCCESS", ...: the label sent next to the code.
std::string_view status_label(StatusCode code);
// The code for a number in 1001..1011; nothing for any other number.
std::optional<StatusCode> status_from_number(int number);

enum class Verdict { benign, malicious, unknown };

// "benign", "malicious", "unknown": the combined_verdict sent with FOUND.
std::string_view verdict_name(Verdict verdict);
std::optional<Verdict> verdict_from_name(std::string_view name);

}  // namespace emulator_mock
