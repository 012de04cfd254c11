#include "gateway/queue/queue_admin.hpp"

#include <cerrno>

#include "gateway/queue/control_request.hpp"
#include "gateway/spool/spool.hpp"
#include "runtime/host.hpp"

namespace gateway {
namespace {

runtime::error_code errno_code(int value) {
  return runtime::error_code(value, boost::system::system_category());
}

// Where the header section of `text` ends (RFC 5322 2.1: at the first empty line), as the
// size of the section with its last line break; nothing when no empty line is in `text`.
std::optional<std::size_t> header_section_end(std::string_view text) {
  if (text.starts_with("\r\n")) {
    return 0;
  }
  const std::size_t crlf = text.find("\r\n\r\n");
  const std::size_t lf = text.find("\n\n");
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf < lf)) {
    return crlf + 2;
  }
  if (lf != std::string_view::npos) {
    return lf + 1;
  }
  return std::nullopt;
}

// Reads the header section of a message, at most `limit` bytes of it.
runtime::error_code read_header_section(SpoolReader& reader, std::size_t limit,
                                        MessageDetails& details) {
  std::string text;
  for (;;) {
    auto chunk = reader.next_chunk();
    if (!chunk) {
      return chunk.error();
    }
    text.append(*chunk);
    if (auto end = header_section_end(text)) {
      text.resize(*end);
      break;
    }
    if (chunk->empty()) {
      break;  // a message of header fields only
    }
    if (text.size() > limit) {
      break;
    }
  }
  details.header_truncated = text.size() > limit;
  text.resize(std::min(text.size(), limit));
  details.header_section = std::move(text);
  return {};
}

}  // namespace

QueueAdmin::QueueAdmin(Spool& spool)
    : spool_(&spool), names_(spool.host().random("queue-control")) {}

runtime::Result<std::vector<QueueListing>> QueueAdmin::list() {
  auto ids = spool_->list_messages();
  if (!ids) {
    return ids.error();
  }
  std::vector<QueueListing> listings;
  for (const auto& id : *ids) {
    listings.push_back(listing(id));
  }
  return listings;
}

QueueListing QueueAdmin::listing(const QueueId& id) {
  QueueListing line(id);
  auto reader = spool_->open_message(id);
  if (!reader) {
    line.problem = reader.error();
    return line;
  }
  auto record = spool_->load_state(id);
  if (!record) {
    line.problem = record.error();
    return line;
  }

  // No state record yet: received, as recovery would see it.
  const QueueRecord state = record->value_or(QueueRecord::fresh(id, reader->envelope()));
  line.state = state.state;
  line.sender = reader->envelope().mail_from;
  line.recipient_count = reader->envelope().recipients.size();
  line.size_bytes = reader->content_size_bytes();
  line.next_attempt_time = state.next_attempt_time;
  line.last_error = state.last_error;
  return line;
}

runtime::Result<MessageDetails> QueueAdmin::show(const QueueId& id) {
  auto reader = spool_->open_message(id);
  if (!reader) {
    return reader.error();
  }
  auto record = spool_->load_state(id);
  if (!record) {
    return record.error();
  }
  MessageDetails details{
      .envelope = reader->envelope(),
      .record = record->value_or(QueueRecord::fresh(id, reader->envelope())),
      .size_bytes = reader->content_size_bytes(),
      .header_section = {},
      .header_truncated = false};
  if (auto ec = read_header_section(*reader, header_section_size_max, details)) {
    return ec;
  }
  return details;
}

runtime::error_code QueueAdmin::flush() {
  return submit_control_request(*spool_, names_, {ControlVerb::flush, std::nullopt});
}

runtime::error_code QueueAdmin::remove(const QueueId& id) {
  if (!spool_->contains(id)) {
    return errno_code(ENOENT);
  }
  return submit_control_request(*spool_, names_, {ControlVerb::remove, id});
}

runtime::error_code QueueAdmin::release(const QueueId& id) {
  if (!spool_->contains(id)) {
    return errno_code(ENOENT);
  }
  // Only the stored state can say it is held: holding is always recorded durably.
  auto record = spool_->load_state(id);
  if (!record) {
    return record.error();
  }
  if (!*record || (*record)->state != MessageState::held) {
    return errno_code(EINVAL);
  }
  return submit_control_request(*spool_, names_, {ControlVerb::release, id});
}

runtime::Result<std::size_t> QueueAdmin::pending_requests() {
  auto names = pending_control_requests(*spool_);
  if (!names) {
    return names.error();
  }
  return names->size();
}

}  // namespace gateway
