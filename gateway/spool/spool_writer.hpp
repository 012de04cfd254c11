// Writes one message into the spool while it is being received, so that a large message
// is never held whole in memory. Obtained from Spool::begin(), which has already written
// the envelope under a temporary name (<spool>/messages/.incoming.<queue id>).
//
// Only a successful commit() makes the message queued; the SMTP server may answer 250
// only after it. Anything else (abandon(), destruction, a crash) leaves no trace once the
// next recovery has discarded the temporary file. The spool must outlive its writers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/spool/checksum.hpp"
#include "gateway/spool/envelope.hpp"
#include "gateway/spool/queue_id.hpp"
#include "gateway/spool/queued_message.hpp"
#include "runtime/storage.hpp"

namespace gateway {

class Spool;

class SpoolWriter {
 public:
  SpoolWriter(SpoolWriter&& other) noexcept;
  SpoolWriter& operator=(SpoolWriter&&) = delete;
  // Abandons the message unless it was committed.
  ~SpoolWriter();

  const QueueId& queue_id() const { return id_; }
  std::uint64_t content_size_bytes() const { return content_size_; }

  // Appends content as it arrives. After a failure every later call fails with the same
  // error: the file is no longer trusted. Errors: EIO, ENOSPC.
  runtime::error_code append(std::string_view bytes);

  // Makes the message durable under its final name: writes the trailer, checks the file's
  // size, syncs the file, renames it into place and syncs the folder. On failure nothing
  // is queued (the files are removed as far as the disk allows); a replacement leaves the
  // old content, or the new one when only the folder sync failed. Errors: EIO, ENOSPC,
  // corrupt_record (the file's size disagrees with what was written).
  runtime::Result<QueuedMessage> commit();

  // Removes the temporary file: the connection was lost or the message refused.
  void abandon();

 private:
  friend class Spool;

  SpoolWriter(Spool& spool, QueueId id, Envelope envelope, std::unique_ptr<runtime::File> file,
              std::uint64_t header_size, bool replacing);

  // Writes the prefix and header block, which do not count as content.
  runtime::error_code append_header(std::string_view header);
  runtime::error_code make_durable();
  std::string temporary_path() const;
  std::string final_path() const;

  Spool* spool_;
  QueueId id_;
  Envelope envelope_;
  std::unique_ptr<runtime::File> file_;  // null once committed or abandoned
  std::uint64_t header_size_ = 0;        // prefix and header block
  bool replacing_ = false;               // the final name holds the version being replaced
  std::uint64_t content_size_ = 0;
  Checksum checksum_;
  runtime::error_code failure_;
};

}  // namespace gateway
