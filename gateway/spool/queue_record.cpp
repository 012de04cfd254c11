#include "gateway/spool/queue_record.hpp"

#include <algorithm>
#include <cassert>

#include "gateway/spool/record_codec.hpp"

namespace gateway {
namespace {

constexpr std::string_view format_version = "mta-queue/1";

// More recipients than any accepted message may have means the count is damaged; the
// bound also keeps a damaged count from reserving absurd memory.
constexpr std::uint64_t recipient_count_max = 1'000'000;

}  // namespace

QueueRecord QueueRecord::fresh(const QueueId& id, const Envelope& envelope) {
  QueueRecord record(id);
  for (const auto& address : envelope.recipients) {
    record.recipients.push_back({address, RecipientState::pending, {}});
  }
  return record;
}

std::size_t QueueRecord::pending_count() const {
  return static_cast<std::size_t>(std::count_if(
      recipients.begin(), recipients.end(),
      [](const RecipientStatus& r) { return r.state == RecipientState::pending; }));
}

bool QueueRecord::matches(const Envelope& envelope) const {
  return std::equal(recipients.begin(), recipients.end(), envelope.recipients.begin(),
                    envelope.recipients.end(),
                    [](const RecipientStatus& r, const std::string& a) { return r.address == a; });
}

bool QueueRecord::consistent() const {
  const bool deferred = state == MessageState::deferred;
  return !recipients.empty() && deferred == next_attempt_time.has_value() &&
         (state != MessageState::done || pending_count() == 0);
}

std::string encode_queue_record(const QueueRecord& record) {
  assert(record.consistent());
  RecordWriter writer;
  writer.add("format", format_version);
  writer.add("queue_id", record.queue_id.text());
  writer.add("state", message_state_name(record.state));
  writer.add_unsigned("attempts", record.attempts);
  writer.add("next_attempt_us", record.next_attempt_time
                                    ? std::to_string(to_unix_us(*record.next_attempt_time))
                                    : std::string());
  writer.add("last_error", record.last_error);
  writer.add_unsigned("recipient_count", record.recipients.size());
  for (const auto& recipient : record.recipients) {
    writer.add("recipient", recipient.address);
    writer.add("recipient_state", recipient_state_name(recipient.state));
    writer.add("recipient_reply", recipient.reply);
  }
  return std::move(writer).finish();
}

runtime::Result<QueueRecord> decode_queue_record(std::string_view text) {
  auto parsed = RecordReader::parse(text);
  if (!parsed) {
    return parsed.error();
  }
  RecordReader& reader = *parsed;

  // The fixed fields, in the order they were written.
  const bool known_format = reader.text("format") == format_version;
  const auto id = QueueId::parse(reader.text("queue_id"));
  const auto state = parse_message_state(reader.text("state"));
  const std::uint64_t attempts = reader.unsigned_number("attempts");
  const auto next_attempt_us = reader.optional_signed_number("next_attempt_us");
  std::string last_error = reader.text("last_error");
  const std::uint64_t count = reader.unsigned_number("recipient_count");
  if (!known_format || !id || !state || attempts > UINT32_MAX || count > recipient_count_max) {
    return runtime::Error::corrupt_record;
  }
  QueueRecord record(*id);
  record.state = *state;
  record.attempts = static_cast<std::uint32_t>(attempts);
  record.last_error = std::move(last_error);
  if (next_attempt_us) {
    record.next_attempt_time = from_unix_us(*next_attempt_us);
  }

  // One group of three fields per recipient.
  for (std::uint64_t i = 0; i < count; ++i) {
    RecipientStatus recipient;
    recipient.address = reader.text("recipient");
    auto recipient_state = parse_recipient_state(reader.text("recipient_state"));
    recipient.reply = reader.text("recipient_reply");
    if (!recipient_state) {
      reader.fail();
    }
    recipient.state = recipient_state.value_or(RecipientState::pending);
    record.recipients.push_back(std::move(recipient));
  }
  if (reader.finish() || !record.consistent()) {
    return runtime::Error::corrupt_record;
  }
  return record;
}

}  // namespace gateway
