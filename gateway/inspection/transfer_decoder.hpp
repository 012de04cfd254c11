// Streaming decoders for the content transfer encodings a part can carry (RFC 2045 section
// 6) and for uuencoded blocks. They take input in chunks of any size and keep only a few
// bytes of state, so a file is decoded for hashing or upload without being held whole.
// They decode leniently, as mail readers do, and report what a stricter reader would have
// read differently, so that the analysis can decide whether the reading is unambiguous.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gateway::inspection {

enum class TransferEncoding {
  identity,  // 7bit, 8bit, binary, or no field at all
  base64,
  quoted_printable,
  uuencode,  // x-uuencode and friends, and uuencoded blocks found in text
};

// What a decoder met that readers do not agree on.
struct DecodeReport {
  // Bytes outside the base64 alphabet other than whitespace; RFC 2045 section 6.8 says to
  // ignore them, which is what every lenient reader does.
  std::uint64_t stray_bytes = 0;
  // Base64 data after '=' padding: some readers stop at the padding, others go on.
  bool data_after_padding = false;
};

class TransferDecoder {
 public:
  explicit TransferDecoder(TransferEncoding encoding) : encoding_(encoding) {}

  // Decodes the next piece of input, appending the decoded bytes to `output`.
  void decode(std::string_view input, std::string& output);

  // Flushes what the last piece left pending (a partial base64 quantum, an unfinished
  // quoted-printable escape, a uuencoded line without a line break).
  void finish(std::string& output);

  const DecodeReport& report() const { return report_; }

 private:
  void decode_base64(std::string_view input, std::string& output);
  void flush_base64(std::string& output);
  void decode_quoted_printable(std::string_view input, std::string& output);
  void decode_quoted_printable_escape(char next, std::string& output);
  void decode_uuencode(std::string_view input, std::string& output);
  void decode_uuencoded_line(std::string& output);

  TransferEncoding encoding_;
  DecodeReport report_;

  // base64: the sextets of the current quantum and whether padding was seen.
  std::uint32_t quantum_ = 0;
  int quantum_size_ = 0;
  bool padded_ = false;

  // quoted-printable: the '=' escape being read ("=", "=4", "=  " before a soft break).
  std::string escape_;

  // uuencode: the current line, and where the block stands.
  std::string line_;
  bool line_too_long_ = false;
  bool in_block_ = false;
  bool block_ended_ = false;
};

}  // namespace gateway::inspection
