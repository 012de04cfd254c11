// The text form shared by every spool record (a spool file's header block, a queue state
// record, an administration request): one field per line, then a check line.
//
//   key=value\n          key: [a-z0-9_]+; fields appear in a fixed order per record type
//   ...
//   check=<crc32c>\n     8 lower-case hex digits: CRC-32C of every byte before this line
//
// Values are percent-encoded (%XX, upper-case hex) for every byte that is not printable
// ASCII, for space and for '%', so a value never holds a line break and a record reads
// back byte for byte. Readers take fields in the order the writer put them, which makes a
// missing, extra or reordered field a detected corruption rather than a silent default.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/error.hpp"
#include "runtime/time.hpp"

namespace gateway {

class RecordWriter {
 public:
  void add(std::string_view key, std::string_view value);
  void add_unsigned(std::string_view key, std::uint64_t value);
  void add_signed(std::string_view key, std::int64_t value);

  // The finished record, check line included.
  std::string finish() &&;

 private:
  std::string text_;
};

// Reads fields in order with a sticky failure, so decoders read straight through and
// check once at the end: after the first missing, misplaced or malformed field every
// read returns an empty value and finish() reports corrupt_record.
class RecordReader {
 public:
  // Verifies the check line and splits the fields. Errors: corrupt_record when the check
  // line is missing or does not match, or a line is not key=value with a valid encoding.
  static runtime::Result<RecordReader> parse(std::string_view text);

  // Whether the next field has this key (for optional and repeated fields).
  bool next_is(std::string_view key) const;

  // The next field's decoded value; marks the reader failed when the next field has
  // another key or (for numbers) is not a decimal number in range.
  std::string text(std::string_view key);
  std::uint64_t unsigned_number(std::string_view key);
  std::int64_t signed_number(std::string_view key);
  // An empty value is nothing; any other value must be a signed decimal number.
  std::optional<std::int64_t> optional_signed_number(std::string_view key);

  // Marks the record corrupt for a reason only the decoder can see (a bad enum name).
  void fail() { failed_ = true; }

  // Success when every field was read and none failed; corrupt_record otherwise.
  runtime::error_code finish() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
  std::size_t next_ = 0;
  bool failed_ = false;
};

// Wall times are stored as signed microseconds since the Unix epoch.
std::int64_t to_unix_us(runtime::WallTime time);
runtime::WallTime from_unix_us(std::int64_t unix_us);

}  // namespace gateway
