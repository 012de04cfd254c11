#include "gateway/spool/checksum.hpp"

#include <array>

namespace gateway {
namespace {

// The reflected Castagnoli polynomial.
constexpr std::uint32_t polynomial = 0x82f63b78u;

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1u) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
    }
    table[byte] = crc;
  }
  return table;
}

constexpr auto table = make_table();

}  // namespace

void Checksum::update(std::string_view bytes) {
  std::uint32_t crc = state_;
  for (unsigned char byte : bytes) {
    crc = table[(crc ^ byte) & 0xffu] ^ (crc >> 8);
  }
  state_ = crc;
}

std::string Checksum::hex() const { return checksum_hex(value()); }

std::string checksum_hex(std::uint32_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text(8, '0');
  for (int i = 7; i >= 0; --i) {
    text[static_cast<std::size_t>(i)] = digits[value & 0xfu];
    value >>= 4;
  }
  return text;
}

}  // namespace gateway
