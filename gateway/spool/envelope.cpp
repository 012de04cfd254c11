#include "gateway/spool/envelope.hpp"

namespace gateway {

std::string_view body_type_name(BodyType type) {
  switch (type) {
    case BodyType::seven_bit: return "7bit";
    case BodyType::eight_bit_mime: return "8bitmime";
  }
  return "7bit";
}

std::optional<BodyType> parse_body_type(std::string_view name) {
  for (BodyType type : {BodyType::seven_bit, BodyType::eight_bit_mime}) {
    if (body_type_name(type) == name) {
      return type;
    }
  }
  return std::nullopt;
}

}  // namespace gateway
