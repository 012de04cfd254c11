#include "emulator_mock/fault.hpp"

#include <array>
#include <utility>

namespace emulator_mock {
namespace {

constexpr std::array<std::pair<FaultKind, std::string_view>, 8> names = {{
    {FaultKind::http_500, "http_500"},
    {FaultKind::http_503, "http_503"},
    {FaultKind::status, "status"},
    {FaultKind::refuse, "refuse"},
    {FaultKind::hang, "hang"},
    {FaultKind::reset, "reset"},
    {FaultKind::malformed_json, "malformed_json"},
    {FaultKind::slow_body, "slow_body"},
}};

}  // namespace

std::string_view fault_kind_name(FaultKind kind) {
  for (const auto& [value, name] : names) {
    if (value == kind) {
      return name;
    }
  }
  return "unknown";
}

std::optional<FaultKind> fault_kind_from_name(std::string_view name) {
  for (const auto& [value, text] : names) {
    if (text == name) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace emulator_mock
