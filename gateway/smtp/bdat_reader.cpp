#include "gateway/smtp/bdat_reader.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <utility>

namespace gateway::smtp {

BdatReader::BdatReader(const ContentLimits& limits, ContentSink sink)
    : scanner_(limits, std::move(sink)) {}

void BdatReader::begin_chunk(std::uint64_t chunk_octets, bool last) {
  assert(chunk_complete() && "the previous chunk is still being read");
  assert(!message_complete_ && "the message already ended");

  // The announced total saturates instead of wrapping, so it can be compared with limits.
  constexpr std::uint64_t announced_max = std::numeric_limits<std::uint64_t>::max();
  announced_octets_ = announced_octets_ > announced_max - chunk_octets
                          ? announced_max
                          : announced_octets_ + chunk_octets;
  chunk_octets_remaining_ = chunk_octets;
  last_chunk_ = last;
  if (chunk_octets == 0) {
    complete_chunk();
  }
}

std::size_t BdatReader::feed(std::string_view input) {
  assert(!chunk_complete() && "no chunk is being read");

  // Take no more than the chunk still needs.
  const auto take =
      static_cast<std::size_t>(std::min<std::uint64_t>(chunk_octets_remaining_, input.size()));
  scanner_.write(input.substr(0, take));
  chunk_octets_remaining_ -= take;

  if (chunk_complete()) {
    complete_chunk();
  } else {
    scanner_.flush();
  }
  return take;
}

void BdatReader::complete_chunk() {
  if (!last_chunk_) {
    scanner_.flush();
    return;
  }
  scanner_.finish();
  message_complete_ = true;
}

}  // namespace gateway::smtp
