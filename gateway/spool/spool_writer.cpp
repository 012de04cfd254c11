#include "gateway/spool/spool_writer.hpp"

#include <cassert>

#include "gateway/spool/spool.hpp"
#include "gateway/spool/spool_format.hpp"

namespace gateway {

SpoolWriter::SpoolWriter(Spool& spool, QueueId id, Envelope envelope,
                         std::unique_ptr<runtime::File> file, std::uint64_t header_size,
                         bool replacing)
    : spool_(&spool),
      id_(std::move(id)),
      envelope_(std::move(envelope)),
      file_(std::move(file)),
      header_size_(header_size),
      replacing_(replacing) {}

SpoolWriter::SpoolWriter(SpoolWriter&& other) noexcept
    : spool_(other.spool_),
      id_(other.id_),
      envelope_(std::move(other.envelope_)),
      file_(std::move(other.file_)),
      header_size_(other.header_size_),
      replacing_(other.replacing_),
      content_size_(other.content_size_),
      checksum_(other.checksum_),
      failure_(other.failure_) {}

SpoolWriter::~SpoolWriter() {
  abandon();
}

std::string SpoolWriter::temporary_path() const {
  return spool_->incoming_path(id_);
}

std::string SpoolWriter::final_path() const {
  return spool_->message_path(id_);
}

runtime::error_code SpoolWriter::append(std::string_view bytes) {
  assert(file_ && "append after commit or abandon");
  if (failure_) {
    return failure_;
  }
  failure_ = file_->write(std::span<const char>(bytes.data(), bytes.size()));
  if (!failure_) {
    checksum_.update(bytes);
    content_size_ += bytes.size();
  }
  return failure_;
}

runtime::error_code SpoolWriter::append_header(std::string_view header) {
  assert(header.size() == header_size_ && content_size_ == 0);
  failure_ = file_->write(std::span<const char>(header.data(), header.size()));
  return failure_;
}

runtime::Result<QueuedMessage> SpoolWriter::commit() {
  assert(file_ && "commit after commit or abandon");
  if (auto ec = make_durable()) {
    abandon();
    return ec;
  }
  file_.reset();
  return QueuedMessage{.envelope = envelope_,
                       .record = QueueRecord::fresh(id_, envelope_),
                       .content_size_bytes = content_size_};
}

runtime::error_code SpoolWriter::make_durable() {
  if (failure_) {
    return failure_;
  }

  // Close the file with its trailer, and check that the disk holds exactly what was sent.
  const std::string trailer = encode_spool_trailer(
      {.content_size_bytes = content_size_, .content_checksum = checksum_.value()});
  if (auto ec = file_->write(std::span<const char>(trailer.data(), trailer.size()))) {
    return ec;
  }
  auto size = file_->size();
  if (!size) {
    return size.error();
  }
  if (*size != header_size_ + content_size_ + trailer.size()) {
    return runtime::Error::corrupt_record;
  }

  // Data first, then the name: a crash leaves either no message or all of it.
  if (auto ec = file_->sync()) {
    return ec;
  }
  if (auto ec = spool_->storage().rename(temporary_path(), final_path())) {
    return ec;
  }
  if (auto ec = spool_->storage().sync_directory(spool_->messages_folder())) {
    if (replacing_) {
      // Either version is a whole message with the same envelope; removing the name now
      // would lose both.
      return ec;
    }
    // The final name may or may not survive a crash; without one the client will send
    // again, so take the name back rather than deliver a message it was refused.
    (void)spool_->storage().remove(final_path());
    (void)spool_->storage().sync_directory(spool_->messages_folder());
    return ec;
  }
  return {};
}

void SpoolWriter::abandon() {
  if (!file_) {
    return;
  }
  file_.reset();

  // The temporary name was never made durable, so removing it needs no folder sync; a
  // failed removal is cleaned up by the next recovery.
  if (spool_->storage().exists(temporary_path())) {
    (void)spool_->storage().remove(temporary_path());
  }
}

}  // namespace gateway
