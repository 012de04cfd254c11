// A half-open range of byte offsets, [begin, end), in a message or in decoded bytes.
#pragma once

#include <cstdint>

namespace gateway::inspection {

struct ByteRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  std::uint64_t size() const { return end > begin ? end - begin : 0; }
  bool empty() const { return end <= begin; }
  bool contains(const ByteRange& other) const { return begin <= other.begin && other.end <= end; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

}  // namespace gateway::inspection
