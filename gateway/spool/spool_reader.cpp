#include "gateway/spool/spool_reader.hpp"

#include <algorithm>
#include <cassert>

namespace gateway {

SpoolReader::SpoolReader(SpoolHeader header, std::unique_ptr<runtime::File> file,
                         std::uint64_t content_offset, std::uint64_t content_size,
                         std::uint32_t content_checksum)
    : id_(std::move(header.queue_id)),
      envelope_(std::move(header.envelope)),
      inspected_(std::move(header.inspected)),
      file_(std::move(file)),
      content_offset_(content_offset),
      content_size_(content_size),
      expected_checksum_(content_checksum) {}

runtime::Result<std::size_t> SpoolReader::read_at(std::uint64_t offset, std::span<char> buffer) {
  if (offset >= content_size_ || buffer.empty()) {
    return std::size_t{0};
  }

  // Never read into the trailer: the caller sees content only.
  const std::uint64_t left = content_size_ - offset;
  const std::size_t wanted = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), left));
  auto got = file_->read_at(content_offset_ + offset, buffer.first(wanted));
  if (!got) {
    return got.error();
  }
  if (*got == 0) {
    return runtime::Error::corrupt_record;
  }
  return *got;
}

runtime::Result<std::string_view> SpoolReader::next_chunk() {
  // At the end, the checksum of everything read in order must match the trailer's.
  if (position_ == content_size_) {
    if (checksum_.value() != expected_checksum_) {
      return runtime::Error::corrupt_record;
    }
    return std::string_view();
  }

  buffer_.resize(chunk_size_bytes);
  auto got = read_at(position_, buffer_);
  if (!got) {
    return got.error();
  }
  assert(*got > 0);
  const std::string_view chunk(buffer_.data(), *got);
  checksum_.update(chunk);
  position_ += *got;
  return chunk;
}

void SpoolReader::rewind() {
  position_ = 0;
  checksum_ = Checksum();
}

}  // namespace gateway
