#include "gateway/spool/queue_id.hpp"

#include <algorithm>
#include <cassert>

namespace gateway {
namespace {

bool is_id_character(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

QueueId QueueId::generate(runtime::Random& random) {
  auto id = parse(random.alphanumeric(length));
  assert(id && "the generator draws from the id alphabet");
  return *id;
}

std::optional<QueueId> QueueId::parse(std::string_view text) {
  if (text.size() != length || !std::all_of(text.begin(), text.end(), is_id_character)) {
    return std::nullopt;
  }
  return QueueId(std::string(text));
}

}  // namespace gateway
