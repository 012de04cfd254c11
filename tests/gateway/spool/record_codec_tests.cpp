// The record text form shared by spool headers, state records and control requests:
// values read back byte for byte, and damage of any kind reads as corrupt_record.
#include <algorithm>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/spool/checksum.hpp"
#include "gateway/spool/record_codec.hpp"
#include "spool_fixture.hpp"

namespace {

using gateway::RecordReader;
using gateway::RecordWriter;

std::string two_field_record() {
  RecordWriter writer;
  writer.add("name", "value one");
  writer.add_unsigned("count", 42);
  return std::move(writer).finish();
}

// Replaces the check line with a correct one for the (possibly altered) fields above it,
// so that only the field checks can catch the damage.
std::string recheck(std::string text) {
  const std::size_t check = text.rfind("check=");
  text.resize(check);
  return text + "check=" + gateway::checksum_hex(gateway::Checksum::of(text)) + "\n";
}

// `text` with the first `from` replaced by `to`; `from` must occur.
std::string replace_first(const std::string& text, std::string_view from, std::string_view to) {
  const std::size_t at = text.find(from);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  return text.substr(0, at) + std::string(to) + text.substr(at + from.size());
}

BOOST_AUTO_TEST_SUITE(spool)

BOOST_AUTO_TEST_CASE(crc32c_matches_the_published_check_value) {
  // The standard check input for CRC catalogues.
  BOOST_TEST(gateway::Checksum::of("123456789") == 0xe3069283u);
  BOOST_TEST(gateway::checksum_hex(0xe3069283u) == "e3069283");
}

BOOST_AUTO_TEST_CASE(hostile_values_read_back_byte_for_byte) {
  const std::vector<std::string> values = {
      "", "plain", "with space", "100%", "a=b=c", "line\r\nbreak", std::string("nul\0byte", 8),
      "caf\xc3\xa9", "\x7f\xff", "%41 is not A"};
  RecordWriter writer;
  for (const auto& value : values) {
    writer.add("value", value);
  }
  const std::string text = std::move(writer).finish();

  // Every line holds exactly one field: nothing in a value breaks the line structure.
  BOOST_TEST(std::count(text.begin(), text.end(), '\n') ==
             static_cast<long>(values.size()) + 1);
  auto reader = RecordReader::parse(text);
  BOOST_TEST_REQUIRE(reader.has_value());
  for (const auto& value : values) {
    BOOST_TEST(reader->text("value") == value);
  }
  BOOST_TEST(!reader->finish());
}

BOOST_AUTO_TEST_CASE(numbers_read_back_and_reject_anything_else) {
  RecordWriter writer;
  writer.add_unsigned("big", UINT64_MAX);
  writer.add_signed("negative", -17);
  writer.add("empty", "");
  const std::string text = std::move(writer).finish();

  auto reader = RecordReader::parse(text);
  BOOST_TEST_REQUIRE(reader.has_value());
  BOOST_TEST(reader->unsigned_number("big") == UINT64_MAX);
  BOOST_TEST(reader->signed_number("negative") == -17);
  BOOST_TEST(!reader->optional_signed_number("empty").has_value());
  BOOST_TEST(!reader->finish());

  // A value that is not a number in range marks the whole record corrupt.
  for (std::string bad : {"18446744073709551616", "+1", "12a", "", " 1"}) {
    RecordWriter one;
    one.add("n", bad);
    auto parsed = RecordReader::parse(std::move(one).finish());
    BOOST_TEST_REQUIRE(parsed.has_value());
    (void)parsed->unsigned_number("n");
    BOOST_TEST(parsed->finish() == spool_test::corrupt(), "value " << bad);
  }
}

struct Damage {
  const char* name;
  std::string (*apply)(std::string);
};

BOOST_AUTO_TEST_CASE(damaged_records_read_as_corrupt) {
  const std::vector<Damage> damages = {
      {"a flipped value byte", [](std::string t) { t[6] ^= 0x01; return t; }},
      {"a flipped check digit", [](std::string t) { t[t.size() - 2] ^= 0x01; return t; }},
      {"the last byte cut", [](std::string t) { t.pop_back(); return t; }},
      {"the check line cut", [](std::string t) { return t.substr(0, t.rfind("check=")); }},
      {"a field after the check",
       [](std::string t) { return t + "extra=1\n"; }},
      {"empty", [](std::string) { return std::string(); }},
      {"a raw space in a value, rechecked",
       [](std::string t) { return recheck(replace_first(t, "%20", " ")); }},
      {"a bad escape, rechecked",
       [](std::string t) { return recheck(replace_first(t, "%20", "%G0")); }},
      {"an upper-case key, rechecked",
       [](std::string t) { t[0] = 'N'; return recheck(t); }},
      {"a line without '=', rechecked",
       [](std::string t) { t.insert(0, "junk\n"); return recheck(t); }},
  };
  for (const auto& damage : damages) {
    auto reader = RecordReader::parse(damage.apply(two_field_record()));
    BOOST_TEST((!reader && reader.error() == spool_test::corrupt()), damage.name);
  }
}

BOOST_AUTO_TEST_CASE(fields_out_of_order_or_missing_read_as_corrupt) {
  // Swapped fields carry a valid check, so only the reader's order catches them.
  RecordWriter swapped;
  swapped.add_unsigned("count", 42);
  swapped.add("name", "value one");
  auto reader = RecordReader::parse(std::move(swapped).finish());
  BOOST_TEST_REQUIRE(reader.has_value());
  (void)reader->text("name");
  (void)reader->unsigned_number("count");
  BOOST_TEST(reader->finish() == spool_test::corrupt());

  // A field left unread is as wrong as one missing.
  auto unread = RecordReader::parse(two_field_record());
  BOOST_TEST_REQUIRE(unread.has_value());
  (void)unread->text("name");
  BOOST_TEST(unread->finish() == spool_test::corrupt());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
