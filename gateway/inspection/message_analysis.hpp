// What inspection finds in a message: every file the threat-emulation sandbox must judge,
// in message order, with where it sits (so the rewriter can replace it) and how to get its
// decoded bytes back out (so the emulation client can upload them) without holding the
// message in memory. GMime does the parsing behind this header; none of it shows here.
//
// Errors the calls below return: those of the ContentSource (EIO, corrupt_record), and
// errc::value_too_large from stream_file when a nested layer exceeds its limit (which
// analyse() already reported as unscannable). A message that is merely hostile is never an
// error: what cannot be read unambiguously comes back as an unscannable File.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/inspection/byte_range.hpp"
#include "gateway/inspection/content_source.hpp"
#include "gateway/inspection/transfer_decoder.hpp"

namespace gateway::inspection {

struct AnalysisLimits {
  // Multiparts and nested messages inside each other, counting the message itself.
  int nesting_depth_max = 16;
  // Parts of every kind in the whole message, nested messages included.
  int part_count_max = 1000;
  // Bytes of header per part; beyond it the part is unscannable.
  std::uint64_t header_size_bytes_max = 1024 * 1024;
  // Bytes a layer may decode to when it must be held in memory to be parsed again: an
  // encoded nested message, or an encoded text body searched for uuencoded files.
  std::uint64_t decoded_layer_size_bytes_max = 32 * 1024 * 1024;
};

// One step from the message's bytes towards a file's bytes: take `range` of the previous
// step's output (the message for the first step) and decode it with `encoding`.
struct Extraction {
  ByteRange range;
  TransferEncoding encoding = TransferEncoding::identity;
  friend bool operator==(const Extraction&, const Extraction&) = default;
};

// How the rewriter replaces a file's part_range.
enum class Placement {
  part,          // a whole MIME part (headers and body) inside a multipart
  message_body,  // the message itself: its body, and its content header fields
  loose_text,    // text outside any part (a preamble or epilogue): the notice alone
};

enum class Scannability {
  scannable,
  unparseable,  // cannot be read unambiguously, or is beyond a limit: the fail mode decides
};

struct File {
  std::string file_name;                 // decoded UTF-8; a placeholder when the part has none
  std::vector<std::string> other_names;  // further names the part carries; scan under each
  std::string content_type;              // lower-case type/subtype as declared
  std::string part_path;                 // "1.2.1", numbered as IMAP does (RFC 3501 6.4.5)
  ByteRange part_range;                  // in the original message; what a rewrite replaces
  Placement placement = Placement::part;
  std::vector<Extraction> extraction;  // how to get the decoded bytes (see stream_file)
  std::uint64_t size_bytes = 0;        // of the decoded bytes
  std::string sha256;                  // of the decoded bytes, 64 lower-case hex digits
  Scannability scannability = Scannability::scannable;
  std::string unscannable_detail;  // why, for logs; empty when scannable

  bool unscannable() const { return scannability != Scannability::scannable; }
};

struct MessageAnalysis {
  std::vector<File> files;  // in message order
};

// Finds every file in the message read from `message`.
runtime::Result<MessageAnalysis> analyse(ContentSource& message, const AnalysisLimits& limits);

// Receives decoded bytes in order, a chunk at a time; an error stops the stream.
using ChunkSink = std::function<runtime::Result<void>(std::string_view chunk)>;

// Streams `file`'s decoded bytes from `message` (the one analysed) to `sink` in chunks of at
// most a few tens of KiB. Only a file inside an encoded nested message or uuencoded inside
// an encoded text body needs a layer in memory first (bounded by `limits`).
runtime::Result<DecodeReport> stream_file(ContentSource& message, const File& file,
                                          const ChunkSink& sink, const AnalysisLimits& limits = {});

}  // namespace gateway::inspection
