#include "gateway/inspection/content_source.hpp"

#include <algorithm>
#include <cstring>

#include "gateway/spool/spool_reader.hpp"

namespace gateway::inspection {

std::uint64_t SpoolContentSource::size() {
  return reader_.content_size_bytes();
}

runtime::Result<std::size_t> SpoolContentSource::read_at(std::uint64_t offset,
                                                         std::span<char> buffer) {
  return reader_.read_at(offset, buffer);
}

runtime::Result<std::size_t> StringContentSource::read_at(std::uint64_t offset,
                                                          std::span<char> buffer) {
  if (offset >= bytes_.size()) {
    return std::size_t{0};
  }
  const std::size_t count = std::min<std::uint64_t>(buffer.size(), bytes_.size() - offset);
  std::memcpy(buffer.data(), bytes_.data() + offset, count);
  return count;
}

}  // namespace gateway::inspection
