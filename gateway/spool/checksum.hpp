// CRC-32C (Castagnoli), the checksum that guards spool records and message content
// against torn or altered bytes. It is computed incrementally so that a message streamed
// to or from disk is never held whole in memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gateway {

class Checksum {
 public:
  void update(std::string_view bytes);
  std::uint32_t value() const { return ~state_; }

  // The value as exactly 8 lower-case hex digits, the spelling used in records.
  std::string hex() const;

  static std::uint32_t of(std::string_view bytes) {
    Checksum checksum;
    checksum.update(bytes);
    return checksum.value();
  }

 private:
  std::uint32_t state_ = 0xffffffffu;
};

// Formats `value` as 8 lower-case hex digits.
std::string checksum_hex(std::uint32_t value);

}  // namespace gateway
