#include "gateway/spool/spool_format.hpp"

#include <cassert>
#include <charconv>

#include "gateway/spool/checksum.hpp"
#include "gateway/spool/record_codec.hpp"

namespace gateway {
namespace {

// Parses exactly `text` as an unsigned number in `base`; nothing on any stray byte.
std::optional<std::uint64_t> parse_fixed(std::string_view text, int base) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value, base);
  if (text.empty() || error != std::errc() || stop != end) {
    return std::nullopt;
  }
  return value;
}

std::string zero_padded(std::uint64_t value, int width) {
  std::string digits = std::to_string(value);
  assert(digits.size() <= static_cast<std::size_t>(width));
  return std::string(static_cast<std::size_t>(width) - digits.size(), '0') + digits;
}

}  // namespace

std::string encode_spool_header(const QueueId& id, const Envelope& envelope,
                                const std::optional<InspectionMark>& inspected) {
  assert(!envelope.recipients.empty());

  // The envelope as a record.
  RecordWriter writer;
  writer.add("queue_id", id.text());
  writer.add("mail_from", envelope.mail_from);
  writer.add_unsigned("recipient_count", envelope.recipients.size());
  for (const auto& recipient : envelope.recipients) {
    writer.add("recipient", recipient);
  }
  writer.add("client_address", envelope.client_address);
  writer.add("helo_name", envelope.helo_name);
  writer.add_unsigned("tls", envelope.tls ? 1 : 0);
  writer.add("tls_details", envelope.tls_details);
  writer.add_signed("received_us", to_unix_us(envelope.received_time));
  writer.add("body", body_type_name(envelope.body_type));
  writer.add("declared_size", envelope.declared_size_bytes
                                  ? std::to_string(*envelope.declared_size_bytes)
                                  : std::string());
  if (inspected) {
    assert(inspected->state == MessageState::ready || inspected->state == MessageState::held);
    writer.add("inspected", message_state_name(inspected->state));
    writer.add("inspected_reason", inspected->reason);
  }
  const std::string header = std::move(writer).finish();

  // Preceded by the fixed-size prefix that tells a reader how much header to read.
  assert(header.size() <= spool_header_size_max);
  std::string text(spool_prefix_start);
  text += zero_padded(header.size(), 10);
  text += '\n';
  assert(text.size() == spool_prefix_size);
  return text + header;
}

runtime::Result<std::uint64_t> decode_spool_prefix(std::string_view prefix) {
  if (prefix.size() != spool_prefix_size || !prefix.starts_with(spool_prefix_start) ||
      prefix.back() != '\n') {
    return runtime::Error::corrupt_record;
  }
  const auto size = parse_fixed(prefix.substr(spool_prefix_start.size(), 10), 10);
  if (!size || *size > spool_header_size_max) {
    return runtime::Error::corrupt_record;
  }
  return *size;
}

runtime::Result<SpoolHeader> decode_spool_header(std::string_view header) {
  auto parsed = RecordReader::parse(header);
  if (!parsed) {
    return parsed.error();
  }
  RecordReader& reader = *parsed;

  // The fields in the order they were written; the reader remembers any failure.
  const auto id = QueueId::parse(reader.text("queue_id"));
  Envelope envelope;
  envelope.mail_from = reader.text("mail_from");
  const std::uint64_t count = reader.unsigned_number("recipient_count");
  for (std::uint64_t i = 0; i < count && reader.next_is("recipient"); ++i) {
    envelope.recipients.push_back(reader.text("recipient"));
  }
  envelope.client_address = reader.text("client_address");
  envelope.helo_name = reader.text("helo_name");
  const std::uint64_t tls = reader.unsigned_number("tls");
  envelope.tls = tls == 1;
  envelope.tls_details = reader.text("tls_details");
  envelope.received_time = from_unix_us(reader.signed_number("received_us"));
  const auto body = parse_body_type(reader.text("body"));
  const auto declared = reader.optional_signed_number("declared_size");
  std::optional<InspectionMark> inspected;
  if (reader.next_is("inspected")) {
    const auto state = parse_message_state(reader.text("inspected"));
    inspected = InspectionMark{.state = state.value_or(MessageState::received),
                               .reason = reader.text("inspected_reason")};
  }

  // Then the checks no single field can make.
  const bool inspected_valid = !inspected || inspected->state == MessageState::ready ||
                               inspected->state == MessageState::held;
  if (reader.finish() || !id || count == 0 || envelope.recipients.size() != count || tls > 1 ||
      !body || (declared && *declared < 0) || !inspected_valid) {
    return runtime::Error::corrupt_record;
  }
  envelope.body_type = *body;
  if (declared) {
    envelope.declared_size_bytes = static_cast<std::uint64_t>(*declared);
  }
  return SpoolHeader{*id, std::move(envelope), std::move(inspected)};
}

std::string encode_spool_trailer(const SpoolTrailer& trailer) {
  std::string text(spool_trailer_start);
  text += zero_padded(trailer.content_size_bytes, 20);
  text += spool_trailer_checksum;
  text += checksum_hex(trailer.content_checksum);
  text += '\n';
  assert(text.size() == spool_trailer_size);
  return text;
}

runtime::Result<SpoolTrailer> decode_spool_trailer(std::string_view trailer) {
  const std::size_t checksum_at = spool_trailer_start.size() + 20;
  const std::size_t hex_at = checksum_at + spool_trailer_checksum.size();
  if (trailer.size() != spool_trailer_size || !trailer.starts_with(spool_trailer_start) ||
      trailer.substr(checksum_at, spool_trailer_checksum.size()) != spool_trailer_checksum ||
      trailer.back() != '\n') {
    return runtime::Error::corrupt_record;
  }
  const auto size = parse_fixed(trailer.substr(spool_trailer_start.size(), 20), 10);
  const std::string_view hex = trailer.substr(hex_at, 8);
  const auto checksum = parse_fixed(hex, 16);
  // Upper-case digits parse too, but a writer never produces them.
  if (!size || !checksum || checksum_hex(static_cast<std::uint32_t>(*checksum)) != hex) {
    return runtime::Error::corrupt_record;
  }
  return SpoolTrailer{*size, static_cast<std::uint32_t>(*checksum)};
}

}  // namespace gateway
