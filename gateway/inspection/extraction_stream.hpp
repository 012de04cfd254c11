// Runs a chain of Extraction steps over a ContentSource: every step but the last is
// decoded into memory (bounded), the last one is decoded in chunks straight to the sink.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "gateway/inspection/message_analysis.hpp"

namespace gateway::inspection {

// Streams the bytes `steps` lead to, starting from `source`. Errors: those of the source;
// errc::value_too_large when an intermediate step decodes to more than `layer_size_max`.
runtime::Result<DecodeReport> stream_extraction(ContentSource& source,
                                                std::span<const Extraction> steps,
                                                const ChunkSink& sink,
                                                std::uint64_t layer_size_max);

// Decodes one step into memory. Errors: as above.
runtime::Result<std::string> decode_to_string(ContentSource& source, const Extraction& step,
                                              std::uint64_t size_max,
                                              DecodeReport* report = nullptr);

}  // namespace gateway::inspection
