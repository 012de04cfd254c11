#include "gateway/inspection/transfer_decoder.hpp"

#include <cassert>

namespace gateway::inspection {
namespace {

// The value of a base64 character, or -1 outside the alphabet.
int base64_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Longest line a uuencoded block may have; longer ones are not uuencoded data.
constexpr std::size_t uuencoded_line_size_max = 1024;
// Longest run of blanks kept after '=' while deciding whether it is a soft line break.
constexpr std::size_t escape_size_max = 80;

}  // namespace

void TransferDecoder::decode(std::string_view input, std::string& output) {
  switch (encoding_) {
    case TransferEncoding::identity:
      output.append(input);
      return;
    case TransferEncoding::base64:
      decode_base64(input, output);
      return;
    case TransferEncoding::quoted_printable:
      decode_quoted_printable(input, output);
      return;
    case TransferEncoding::uuencode:
      decode_uuencode(input, output);
      return;
  }
}

void TransferDecoder::finish(std::string& output) {
  switch (encoding_) {
    case TransferEncoding::identity:
      return;
    case TransferEncoding::base64:
      flush_base64(output);
      return;
    case TransferEncoding::quoted_printable:
      // An escape cut off by the end stays as it was written.
      output.append(escape_);
      escape_.clear();
      return;
    case TransferEncoding::uuencode:
      if (!line_.empty()) {
        decode_uuencoded_line(output);
      }
      return;
  }
}

void TransferDecoder::decode_base64(std::string_view input, std::string& output) {
  for (const char c : input) {
    if (c == '=') {
      // Padding ends the quantum; what it completes is emitted now.
      flush_base64(output);
      padded_ = true;
      continue;
    }
    const int value = base64_value(c);
    if (value < 0) {
      if (!is_space(c)) {
        ++report_.stray_bytes;
      }
      continue;
    }
    if (padded_) {
      report_.data_after_padding = true;
      padded_ = false;
    }
    quantum_ = (quantum_ << 6) | static_cast<std::uint32_t>(value);
    if (++quantum_size_ == 4) {
      output.push_back(static_cast<char>((quantum_ >> 16) & 0xff));
      output.push_back(static_cast<char>((quantum_ >> 8) & 0xff));
      output.push_back(static_cast<char>(quantum_ & 0xff));
      quantum_ = 0;
      quantum_size_ = 0;
    }
  }
}

void TransferDecoder::flush_base64(std::string& output) {
  // A partial quantum of 2 or 3 sextets still carries 1 or 2 whole bytes (missing padding
  // is read as if it were there); a single sextet carries none.
  if (quantum_size_ == 2) {
    output.push_back(static_cast<char>((quantum_ >> 4) & 0xff));
  } else if (quantum_size_ == 3) {
    output.push_back(static_cast<char>((quantum_ >> 10) & 0xff));
    output.push_back(static_cast<char>((quantum_ >> 2) & 0xff));
  }
  quantum_ = 0;
  quantum_size_ = 0;
}

void TransferDecoder::decode_quoted_printable(std::string_view input, std::string& output) {
  for (const char c : input) {
    if (escape_.empty()) {
      if (c == '=') {
        escape_.push_back(c);
      } else {
        output.push_back(c);
      }
      continue;
    }
    decode_quoted_printable_escape(c, output);
  }
}

void TransferDecoder::decode_quoted_printable_escape(char next, std::string& output) {
  assert(!escape_.empty() && escape_[0] == '=');

  // "=" then blanks then a line break is a soft line break (RFC 2045 section 6.7 rule 5,
  // with the trailing blanks rule 3 allows a reader to drop).
  const bool only_blanks = escape_.find_first_not_of(" \t\r", 1) == std::string::npos;
  if (only_blanks && next == '\n') {
    escape_.clear();
    return;
  }
  if (only_blanks && (next == ' ' || next == '\t' || next == '\r') &&
      escape_.size() < escape_size_max) {
    escape_.push_back(next);
    return;
  }

  // "=XX" is one byte; either case of hex digit is accepted, as readers do.
  if (escape_.size() == 1 && hex_value(next) >= 0) {
    escape_.push_back(next);
    return;
  }
  if (escape_.size() == 2 && hex_value(escape_[1]) >= 0 && hex_value(next) >= 0) {
    output.push_back(static_cast<char>(hex_value(escape_[1]) * 16 + hex_value(next)));
    escape_.clear();
    return;
  }

  // Anything else was not an escape: keep it literally, then read `next` afresh.
  output.append(escape_);
  escape_.clear();
  decode_quoted_printable(std::string_view(&next, 1), output);
}

void TransferDecoder::decode_uuencode(std::string_view input, std::string& output) {
  for (const char c : input) {
    if (c == '\n') {
      decode_uuencoded_line(output);
      continue;
    }
    if (line_.size() < uuencoded_line_size_max) {
      line_.push_back(c);
    } else {
      line_too_long_ = true;
    }
  }
}

void TransferDecoder::decode_uuencoded_line(std::string& output) {
  std::string_view line = line_;
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  const bool too_long = line_too_long_;
  line_too_long_ = false;

  if (block_ended_ || too_long) {
    line_.clear();
    return;
  }
  if (!in_block_) {
    // Everything up to the "begin <mode> <name>" line is not data.
    in_block_ = line.starts_with("begin ");
    line_.clear();
    return;
  }
  if (line == "end" || line.empty()) {
    block_ended_ = line == "end";
    line_.clear();
    return;
  }

  // The first character holds the decoded length of the line; then every 4 characters
  // hold 3 bytes, each character being 32 plus a sextet (with '`' standing for 0).
  auto sextet = [](char c) { return static_cast<std::uint32_t>((c - ' ') & 0x3f); };
  std::size_t remaining = sextet(line[0]);
  for (std::size_t i = 1; i < line.size() && remaining > 0; i += 4) {
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      group = (group << 6) | (i + j < line.size() ? sextet(line[i + j]) : 0);
    }
    for (int shift = 16; shift >= 0 && remaining > 0; shift -= 8, --remaining) {
      output.push_back(static_cast<char>((group >> shift) & 0xff));
    }
  }
  line_.clear();
}

}  // namespace gateway::inspection
