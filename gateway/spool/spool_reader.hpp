// Reads a committed message's content as a stream, for delivery and inspection, without
// holding it whole in memory. Obtained from Spool::open_message(), which has already checked the
// file's structure (prefix, header, trailer, size); the content's checksum is checked when
// next_chunk() reaches the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gateway/spool/checksum.hpp"
#include "gateway/spool/envelope.hpp"
#include "gateway/spool/queue_id.hpp"
#include "gateway/spool/spool_format.hpp"
#include "runtime/storage.hpp"

namespace gateway {

class SpoolReader {
 public:
  static constexpr std::size_t chunk_size_bytes = 64 * 1024;

  SpoolReader(SpoolReader&&) noexcept = default;
  SpoolReader& operator=(SpoolReader&&) noexcept = default;

  const QueueId& queue_id() const { return id_; }
  const Envelope& envelope() const { return envelope_; }
  // What the inspection that rewrote this content decided; nothing for content as received.
  const std::optional<InspectionMark>& inspected() const { return inspected_; }
  std::uint64_t content_size_bytes() const { return content_size_; }

  // Reads content from `offset` (0 is the first content byte) into `buffer`; returns how
  // many bytes were read, 0 at the end of the content. Errors: EIO; corrupt_record when
  // the file ends before its content does.
  runtime::Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buffer);

  // The next piece of content in order (at most chunk_size_bytes), valid until the next
  // call; empty at the end. Reaching the end verifies the content against the trailer's
  // checksum. Errors: EIO; corrupt_record when the content does not match its checksum.
  runtime::Result<std::string_view> next_chunk();

  // Starts next_chunk() again from the first content byte.
  void rewind();

 private:
  friend class Spool;

  SpoolReader(SpoolHeader header, std::unique_ptr<runtime::File> file, std::uint64_t content_offset,
              std::uint64_t content_size, std::uint32_t content_checksum);

  QueueId id_;
  Envelope envelope_;
  std::optional<InspectionMark> inspected_;
  std::unique_ptr<runtime::File> file_;
  std::uint64_t content_offset_ = 0;
  std::uint64_t content_size_ = 0;
  std::uint32_t expected_checksum_ = 0;

  // Where next_chunk() stands and what it has seen so far.
  std::uint64_t position_ = 0;
  Checksum checksum_;
  std::string buffer_;
};

}  // namespace gateway
