#include "emulator_mock/file_scan.hpp"

#include <array>
#include <memory>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

namespace emulator_mock {
namespace {

// Kept in two halves so that this source file is not itself the test string.
constexpr std::string_view eicar_head = R"(X5O!P%@AP[4\PZX54(P^)7CC)7}$)";
constexpr std::string_view eicar_tail = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

const std::string& eicar_text() {
  static const std::string text = std::string(eicar_head) + std::string(eicar_tail);
  return text;
}

bool looks_like_zip(std::string_view bytes) {
  return bytes.size() >= 4 && bytes.substr(0, 2) == "PK" &&
         (bytes[2] == '\x03' || bytes[2] == '\x05' || bytes[2] == '\x07');
}

struct ArchiveCloser {
  void operator()(archive* handle) const { archive_read_free(handle); }
};

bool scan(std::string_view bytes, const ScanLimits& limits, int depth, std::uint64_t& budget);

// Reads each entry of a zip in memory and scans it; true on the first entry with EICAR.
bool scan_zip(std::string_view bytes, const ScanLimits& limits, int depth,
              std::uint64_t& budget) {
  std::unique_ptr<archive, ArchiveCloser> reader(archive_read_new());
  if (!reader) {
    return false;
  }
  archive_read_support_format_zip(reader.get());
  if (archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return false;
  }
  archive_entry* entry = nullptr;
  for (std::size_t count = 0; count < limits.max_entries; ++count) {
    if (archive_read_next_header(reader.get(), &entry) != ARCHIVE_OK) {
      return false;
    }
    if (archive_entry_filetype(entry) != AE_IFREG) {
      continue;
    }
    // Read the entry up to its bound; a larger one is looked at in its first part only.
    std::string content;
    std::array<char, 16 * 1024> chunk{};
    for (;;) {
      const la_ssize_t got = archive_read_data(reader.get(), chunk.data(), chunk.size());
      if (got <= 0) {
        break;
      }
      const auto size = static_cast<std::uint64_t>(got);
      if (content.size() + size > limits.max_entry_bytes || size > budget) {
        break;
      }
      budget -= size;
      content.append(chunk.data(), static_cast<std::size_t>(got));
    }
    if (scan(content, limits, depth + 1, budget)) {
      return true;
    }
  }
  return false;
}

bool scan(std::string_view bytes, const ScanLimits& limits, int depth, std::uint64_t& budget) {
  if (bytes.find(eicar_text()) != std::string_view::npos) {
    return true;
  }
  if (depth < limits.max_depth && looks_like_zip(bytes)) {
    return scan_zip(bytes, limits, depth, budget);
  }
  return false;
}

}  // namespace

std::string_view eicar_test_string() { return eicar_text(); }

bool contains_eicar(std::string_view bytes, const ScanLimits& limits) {
  std::uint64_t budget = limits.max_total_bytes;
  return scan(bytes, limits, 0, budget);
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string text;
  text.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    text.push_back(hex[digest[i] >> 4]);
    text.push_back(hex[digest[i] & 0x0f]);
  }
  return text;
}

}  // namespace emulator_mock
