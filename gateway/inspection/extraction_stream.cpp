#include "gateway/inspection/extraction_stream.hpp"

#include <algorithm>
#include <vector>

namespace gateway::inspection {
namespace {

// Input bytes read per step of decoding; the decoded chunk is at most this large too.
constexpr std::size_t read_chunk_size_bytes = 32 * 1024;

// Decodes `step` of `source` chunk by chunk, handing each decoded chunk to `sink`.
runtime::Result<DecodeReport> decode_step(ContentSource& source, const Extraction& step,
                                          const ChunkSink& sink) {
  TransferDecoder decoder(step.encoding);
  std::vector<char> input(read_chunk_size_bytes);
  std::string output;
  std::uint64_t offset = step.range.begin;
  while (offset < step.range.end) {
    const std::size_t wanted = std::min<std::uint64_t>(input.size(), step.range.end - offset);
    auto count = source.read_at(offset, std::span(input.data(), wanted));
    if (!count) {
      return count.error();
    }
    if (*count == 0) {
      return runtime::make_error_code(runtime::Error::corrupt_record);
    }
    offset += *count;

    output.clear();
    decoder.decode(std::string_view(input.data(), *count), output);
    if (!output.empty()) {
      if (auto sent = sink(output); !sent) {
        return sent.error();
      }
    }
  }
  output.clear();
  decoder.finish(output);
  if (!output.empty()) {
    if (auto sent = sink(output); !sent) {
      return sent.error();
    }
  }
  return decoder.report();
}

}  // namespace

runtime::Result<std::string> decode_to_string(ContentSource& source, const Extraction& step,
                                              std::uint64_t size_max, DecodeReport* report) {
  std::string bytes;
  auto decoded = decode_step(source, step, [&](std::string_view chunk) -> runtime::Result<void> {
    if (bytes.size() + chunk.size() > size_max) {
      return make_error_code(boost::system::errc::value_too_large);
    }
    bytes.append(chunk);
    return {};
  });
  if (!decoded) {
    return decoded.error();
  }
  if (report != nullptr) {
    *report = *decoded;
  }
  return bytes;
}

runtime::Result<DecodeReport> stream_extraction(ContentSource& source,
                                                std::span<const Extraction> steps,
                                                const ChunkSink& sink,
                                                std::uint64_t layer_size_max) {
  if (steps.empty()) {
    return DecodeReport{};
  }
  if (steps.size() == 1) {
    return decode_step(source, steps.front(), sink);
  }
  auto layer = decode_to_string(source, steps.front(), layer_size_max);
  if (!layer) {
    return layer.error();
  }
  StringContentSource inner(std::move(*layer));
  return stream_extraction(inner, steps.subspan(1), sink, layer_size_max);
}

runtime::Result<DecodeReport> stream_file(ContentSource& message, const File& file,
                                          const ChunkSink& sink, const AnalysisLimits& limits) {
  return stream_extraction(message, file.extraction, sink, limits.decoded_layer_size_bytes_max);
}

}  // namespace gateway::inspection
