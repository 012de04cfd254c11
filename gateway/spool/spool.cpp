#include "gateway/spool/spool.hpp"

#include <cassert>
#include <cerrno>

#include "gateway/spool/spool_format.hpp"
#include "runtime/host.hpp"

namespace gateway {
namespace {

constexpr std::string_view incoming_prefix = ".incoming.";
// Drawing a taken id twice in a row out of 62^12 means the generator is broken.
constexpr int id_draws_max = 8;

runtime::error_code errno_code(int value) {
  return runtime::error_code(value, boost::system::system_category());
}

// Reads exactly `size` bytes at `offset`. Errors: EIO; corrupt_record when the file
// ends first.
runtime::Result<std::string> read_exact(runtime::File& file, std::uint64_t offset,
                                        std::uint64_t size) {
  std::string bytes(size, '\0');
  std::size_t done = 0;
  while (done < size) {
    auto got = file.read_at(offset + done, std::span<char>(bytes.data() + done, size - done));
    if (!got) {
      return got.error();
    }
    if (*got == 0) {
      return runtime::Error::corrupt_record;
    }
    done += *got;
  }
  return bytes;
}

// The layout of an opened spool file once its three fixed parts have been checked.
struct SpoolLayout {
  SpoolHeader header;
  std::uint64_t content_offset = 0;
  SpoolTrailer trailer;
};

// Checks a spool file's prefix, header, trailer and size. Errors: EIO, corrupt_record.
runtime::Result<SpoolLayout> read_layout(runtime::File& file) {
  auto size = file.size();
  if (!size) {
    return size.error();
  }
  if (*size < spool_prefix_size + spool_trailer_size) {
    return runtime::Error::corrupt_record;
  }

  // The prefix says how long the header is.
  auto prefix = read_exact(file, 0, spool_prefix_size);
  if (!prefix) {
    return prefix.error();
  }
  auto header_size = decode_spool_prefix(*prefix);
  if (!header_size) {
    return header_size.error();
  }
  const std::uint64_t content_offset = spool_prefix_size + *header_size;
  if (*size < content_offset + spool_trailer_size) {
    return runtime::Error::corrupt_record;
  }

  // The header holds the envelope, the trailer the content's size and checksum.
  auto header_text = read_exact(file, spool_prefix_size, *header_size);
  if (!header_text) {
    return header_text.error();
  }
  auto header = decode_spool_header(*header_text);
  if (!header) {
    return header.error();
  }
  auto trailer_text = read_exact(file, *size - spool_trailer_size, spool_trailer_size);
  if (!trailer_text) {
    return trailer_text.error();
  }
  auto trailer = decode_spool_trailer(*trailer_text);
  if (!trailer) {
    return trailer.error();
  }

  // The parts must account for every byte of the file.
  if (content_offset + trailer->content_size_bytes + spool_trailer_size != *size) {
    return runtime::Error::corrupt_record;
  }
  return SpoolLayout{std::move(*header), content_offset, *trailer};
}

}  // namespace

Spool::Spool(runtime::Host& host, std::string folder)
    : host_(&host), folder_(std::move(folder)), ids_(host.random("queue-id")) {}

runtime::Storage& Spool::storage() const {
  return host_->storage();
}

std::string Spool::messages_folder() const {
  return runtime::join_path(folder_, "messages");
}
std::string Spool::state_folder() const {
  return runtime::join_path(folder_, "state");
}
std::string Spool::control_folder() const {
  return runtime::join_path(folder_, "control");
}
std::string Spool::corrupt_folder() const {
  return runtime::join_path(folder_, "corrupt");
}

std::string Spool::message_path(const QueueId& id) const {
  return runtime::join_path(messages_folder(), id.text());
}

std::string Spool::incoming_path(const QueueId& id) const {
  return runtime::join_path(messages_folder(), std::string(incoming_prefix) + id.text());
}

std::string Spool::state_path(const QueueId& id) const {
  return runtime::join_path(state_folder(), id.text());
}

runtime::error_code Spool::prepare() {
  for (const auto& folder : {messages_folder(), state_folder(), control_folder()}) {
    if (auto ec = storage().create_directories(folder)) {
      return ec;
    }
  }
  return {};
}

runtime::Result<SpoolWriter> Spool::begin(const Envelope& envelope) {
  assert(!envelope.recipients.empty());
  for (int draw = 0; draw < id_draws_max; ++draw) {
    // A fresh id whose names are all free.
    QueueId id = QueueId::generate(ids_);
    if (storage().exists(message_path(id)) || storage().exists(state_path(id))) {
      continue;
    }
    auto opened = storage().open(incoming_path(id), runtime::OpenMode::create_new);
    if (!opened && opened.error() == errno_code(EEXIST)) {
      continue;
    }
    if (!opened) {
      return opened.error();
    }

    return start_writer(id, envelope, std::move(*opened), std::nullopt);
  }
  assert(false && "queue id generator keeps repeating itself");
  return errno_code(EEXIST);
}

runtime::Result<SpoolWriter> Spool::begin_replacement(const QueueId& id, const Envelope& envelope,
                                                      const InspectionMark& inspected) {
  assert(!envelope.recipients.empty());
  if (!contains(id)) {
    return errno_code(ENOENT);
  }
  // A leftover of an earlier attempt that a crash or an error cut short.
  if (storage().exists(incoming_path(id))) {
    if (auto ec = storage().remove(incoming_path(id))) {
      return ec;
    }
  }
  auto opened = storage().open(incoming_path(id), runtime::OpenMode::create_new);
  if (!opened) {
    return opened.error();
  }
  return start_writer(id, envelope, std::move(*opened), inspected);
}

runtime::Result<SpoolWriter> Spool::start_writer(const QueueId& id, const Envelope& envelope,
                                                 std::unique_ptr<runtime::File> file,
                                                 const std::optional<InspectionMark>& inspected) {
  // The envelope goes first, so the writer only ever appends content.
  const std::string header = encode_spool_header(id, envelope, inspected);
  SpoolWriter writer(*this, id, envelope, std::move(file), header.size(), inspected.has_value());
  if (auto ec = writer.append_header(header)) {
    return ec;
  }
  return writer;
}

std::string Spool::scratch_path(const QueueId& id, std::string_view purpose) const {
  return incoming_path(id) + "." + std::string(purpose);
}

runtime::Result<SpoolReader> Spool::open_message(const QueueId& id) {
  auto opened = storage().open(message_path(id), runtime::OpenMode::read);
  if (!opened) {
    return opened.error();
  }
  auto layout = read_layout(**opened);
  if (!layout) {
    return layout.error();
  }
  if (layout->header.queue_id != id) {
    return runtime::Error::corrupt_record;
  }
  return SpoolReader(std::move(layout->header), std::move(*opened), layout->content_offset,
                     layout->trailer.content_size_bytes, layout->trailer.content_checksum);
}

bool Spool::contains(const QueueId& id) {
  return storage().exists(message_path(id));
}

runtime::Result<std::vector<QueueId>> Spool::list_messages() {
  auto names = storage().list(messages_folder());
  if (!names) {
    return names.error();
  }
  std::vector<QueueId> ids;
  for (const auto& name : *names) {
    if (auto id = QueueId::parse(name)) {
      ids.push_back(*id);
    }
  }
  return ids;
}

runtime::Result<std::optional<QueueRecord>> Spool::load_state(const QueueId& id) {
  if (!storage().exists(state_path(id))) {
    return std::optional<QueueRecord>();
  }
  auto text = runtime::read_file(storage(), state_path(id));
  if (!text) {
    return text.error();
  }
  auto record = decode_queue_record(*text);
  if (!record) {
    return record.error();
  }
  if (record->queue_id != id) {
    return runtime::Error::corrupt_record;
  }
  return std::optional<QueueRecord>(std::move(*record));
}

runtime::error_code Spool::save_state(const QueueRecord& record) {
  // Checked when written: a record that would not read back equal is never stored.
  if (!record.consistent()) {
    return runtime::Error::corrupt_record;
  }
  const std::string text = encode_queue_record(record);
  auto reread = decode_queue_record(text);
  if (!reread || *reread != record) {
    return runtime::Error::corrupt_record;
  }
  return runtime::write_file_durably(storage(), state_folder(), record.queue_id.text(), text);
}

runtime::error_code Spool::remove(const QueueId& id) {
  runtime::error_code first;
  auto note = [&first](runtime::error_code ec) {
    if (ec && !first) {
      first = ec;
    }
  };

  // The content first: once it is gone, a leftover state record is an orphan.
  if (storage().exists(message_path(id))) {
    note(storage().remove(message_path(id)));
    note(storage().sync_directory(messages_folder()));
  }
  if (storage().exists(state_path(id))) {
    note(storage().remove(state_path(id)));
    note(storage().sync_directory(state_folder()));
  }
  return first;
}

runtime::error_code Spool::set_aside(const QueueId& id) {
  if (auto ec = storage().create_directories(corrupt_folder())) {
    return ec;
  }
  const std::string aside = runtime::join_path(corrupt_folder(), id.text());
  if (storage().exists(message_path(id))) {
    if (auto ec = storage().rename(message_path(id), aside)) {
      return ec;
    }
  }
  if (storage().exists(state_path(id))) {
    if (auto ec = storage().rename(state_path(id), aside + ".state")) {
      return ec;
    }
  }

  // The new names first: a crash between the syncs must not lose the files.
  if (auto ec = storage().sync_directory(corrupt_folder())) {
    return ec;
  }
  if (auto ec = storage().sync_directory(messages_folder())) {
    return ec;
  }
  return storage().sync_directory(state_folder());
}

}  // namespace gateway
