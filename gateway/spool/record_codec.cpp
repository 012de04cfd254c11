#include "gateway/spool/record_codec.hpp"

#include <cassert>
#include <charconv>

#include "gateway/spool/checksum.hpp"

namespace gateway {
namespace {

constexpr std::string_view check_key = "check=";
// "check=" plus 8 hex digits plus the line feed.
constexpr std::size_t check_line_size = check_key.size() + 8 + 1;

bool is_key_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_valid_key(std::string_view key) {
  if (key.empty()) {
    return false;
  }
  for (char c : key) {
    if (!is_key_character(c)) {
      return false;
    }
  }
  return true;
}

bool needs_escape(unsigned char c) { return c <= 0x20 || c >= 0x7f || c == '%'; }

void append_encoded(std::string& out, std::string_view value) {
  static constexpr char digits[] = "0123456789ABCDEF";
  for (unsigned char c : value) {
    if (needs_escape(c)) {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xfu];
    } else {
      out += static_cast<char>(c);
    }
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Decodes a value; false when it holds a byte that should have been escaped or a
// malformed escape, which a writer never produces.
bool decode(std::string_view encoded, std::string& out) {
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    const auto c = static_cast<unsigned char>(encoded[i]);
    if (c != '%') {
      if (needs_escape(c)) {
        return false;
      }
      out += static_cast<char>(c);
      continue;
    }
    if (i + 2 >= encoded.size()) {
      return false;
    }
    const int high = hex_value(encoded[i + 1]);
    const int low = hex_value(encoded[i + 2]);
    if (high < 0 || low < 0) {
      return false;
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return true;
}

template <typename Number>
runtime::Result<Number> parse_number(std::string_view text) {
  Number value{};
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.front() == '+' || error != std::errc() || stop != end) {
    return runtime::Error::corrupt_record;
  }
  return value;
}

}  // namespace

void RecordWriter::add(std::string_view key, std::string_view value) {
  assert(is_valid_key(key) && key != "check");
  text_ += key;
  text_ += '=';
  append_encoded(text_, value);
  text_ += '\n';
}

void RecordWriter::add_unsigned(std::string_view key, std::uint64_t value) {
  add(key, std::to_string(value));
}

void RecordWriter::add_signed(std::string_view key, std::int64_t value) {
  add(key, std::to_string(value));
}

std::string RecordWriter::finish() && {
  const std::string check = checksum_hex(Checksum::of(text_));
  text_ += check_key;
  text_ += check;
  text_ += '\n';
  return std::move(text_);
}

runtime::Result<RecordReader> RecordReader::parse(std::string_view text) {
  // The check line closes the record and covers everything before it.
  if (text.size() < check_line_size || text.back() != '\n') {
    return runtime::Error::corrupt_record;
  }
  const std::string_view body = text.substr(0, text.size() - check_line_size);
  const std::string_view check = text.substr(body.size());
  if (check.substr(0, check_key.size()) != check_key ||
      check.substr(check_key.size(), 8) != checksum_hex(Checksum::of(body))) {
    return runtime::Error::corrupt_record;
  }

  // Every line before it is key=value with an encoded value.
  RecordReader reader;
  std::size_t start = 0;
  while (start < body.size()) {
    const std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) {
      return runtime::Error::corrupt_record;
    }
    const std::string_view line = body.substr(start, end - start);
    const std::size_t equals = line.find('=');
    std::string value;
    if (equals == std::string_view::npos || !is_valid_key(line.substr(0, equals)) ||
        !decode(line.substr(equals + 1), value)) {
      return runtime::Error::corrupt_record;
    }
    reader.fields_.emplace_back(std::string(line.substr(0, equals)), std::move(value));
    start = end + 1;
  }
  return reader;
}

bool RecordReader::next_is(std::string_view key) const {
  return !failed_ && next_ < fields_.size() && fields_[next_].first == key;
}

std::string RecordReader::text(std::string_view key) {
  if (!next_is(key)) {
    failed_ = true;
    return {};
  }
  return std::move(fields_[next_++].second);
}

std::uint64_t RecordReader::unsigned_number(std::string_view key) {
  auto value = parse_number<std::uint64_t>(text(key));
  failed_ = failed_ || !value;
  return value ? *value : 0;
}

std::int64_t RecordReader::signed_number(std::string_view key) {
  auto value = parse_number<std::int64_t>(text(key));
  failed_ = failed_ || !value;
  return value ? *value : 0;
}

std::optional<std::int64_t> RecordReader::optional_signed_number(std::string_view key) {
  const std::string value = text(key);
  if (value.empty()) {
    return std::nullopt;
  }
  auto number = parse_number<std::int64_t>(value);
  failed_ = failed_ || !number;
  return number ? std::optional<std::int64_t>(*number) : std::nullopt;
}

runtime::error_code RecordReader::finish() const {
  if (failed_ || next_ != fields_.size()) {
    return runtime::Error::corrupt_record;
  }
  return {};
}

std::int64_t to_unix_us(runtime::WallTime time) {
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

runtime::WallTime from_unix_us(std::int64_t unix_us) {
  return runtime::WallTime(
      std::chrono::duration_cast<runtime::WallTime::duration>(std::chrono::microseconds(unix_us)));
}

}  // namespace gateway
