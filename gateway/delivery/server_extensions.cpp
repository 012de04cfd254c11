#include "gateway/delivery/server_extensions.hpp"

#include <string_view>
#include <utility>

#include "gateway/smtp/ascii.hpp"

namespace gateway {
namespace {

// Splits "KEYWORD params" into the keyword and what follows it.
std::pair<std::string_view, std::string_view> split_keyword(std::string_view line) {
  line = smtp::ascii::trim_wsp(line);
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return {line, {}};
  }
  return {line.substr(0, space), smtp::ascii::trim_wsp(line.substr(space + 1))};
}

void apply_size(ServerExtensions& extensions, std::string_view parameter) {
  extensions.size = true;
  const auto limit = smtp::ascii::parse_decimal(parameter);
  if (limit && *limit > 0) {
    extensions.size_max_bytes = *limit;
  }
}

}  // namespace

ServerExtensions parse_ehlo_reply(const smtp::Reply& reply) {
  using smtp::ascii::iequals;
  ServerExtensions extensions;

  // The first line names the server; the keywords follow it.
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    const auto [keyword, parameter] = split_keyword(reply.lines[i]);
    if (iequals(keyword, "PIPELINING")) {
      extensions.pipelining = true;
    } else if (iequals(keyword, "STARTTLS")) {
      extensions.starttls = true;
    } else if (iequals(keyword, "8BITMIME")) {
      extensions.eight_bit_mime = true;
    } else if (iequals(keyword, "ENHANCEDSTATUSCODES")) {
      extensions.enhanced_status_codes = true;
    } else if (iequals(keyword, "SIZE")) {
      apply_size(extensions, parameter);
    }
  }
  return extensions;
}

}  // namespace gateway
