#include "emulator_mock/status.hpp"

#include <array>
#include <utility>

namespace emulator_mock {
namespace {

constexpr std::array<std::string_view, last_status_code - first_status_code + 1> labels = {
    "FOUND",         "UPLOAD_SUCCESS", "PENDING",        "NOT_FOUND",
    "NO_QUOTA",      "PARTIALLY_FOUND", "FILE_TYPE_NOT_SUPPORTED", "BAD_REQUEST",
    "INTERNAL_ERROR", "FORBIDDEN",     "NOT_ENOUGH_RESOURCES",
};

constexpr std::array<std::pair<Verdict, std::string_view>, 3> verdict_names = {{
    {Verdict::benign, "benign"},
    {Verdict::malicious, "malicious"},
    {Verdict::unknown, "unknown"},
}};

}  // namespace

std::string_view status_label(StatusCode code) {
  return labels[static_cast<std::size_t>(static_cast<int>(code) - first_status_code)];
}

std::optional<StatusCode> status_from_number(int number) {
  if (number < first_status_code || number > last_status_code) {
    return std::nullopt;
  }
  return static_cast<StatusCode>(number);
}

std::string_view verdict_name(Verdict verdict) {
  for (const auto& [value, name] : verdict_names) {
    if (value == verdict) {
      return name;
    }
  }
  return "unknown";
}

std::optional<Verdict> verdict_from_name(std::string_view name) {
  for (const auto& [value, text] : verdict_names) {
    if (text == name) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace emulator_mock
