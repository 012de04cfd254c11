// Looking into an uploaded file: its SHA-256, and whether it holds the EICAR test string,
// the standard harmless file that anti-malware products treat as malicious. Archives are
// opened from memory with bounded entries, sizes and nesting, so a hostile upload (a zip
// bomb, a thousand-level nest) costs a bounded amount of work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace emulator_mock {

// The 68-byte EICAR test string.
std::string_view eicar_test_string();

struct ScanLimits {
  std::size_t max_entries = 1000;                       // per archive
  std::uint64_t max_entry_bytes = 16 * 1024 * 1024;     // per entry, uncompressed
  std::uint64_t max_total_bytes = 64 * 1024 * 1024;     // per upload, uncompressed
  int max_depth = 3;                                    // archives inside archives
};

// True when `bytes` contain the EICAR string, directly or inside a zip archive (nested up
// to the depth limit). Entries past a limit are not looked at.
bool contains_eicar(std::string_view bytes, const ScanLimits& limits = {});

// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace emulator_mock
