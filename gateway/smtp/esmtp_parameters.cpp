#include "gateway/smtp/esmtp_parameters.hpp"

#include <algorithm>
#include <utility>

#include "gateway/smtp/ascii.hpp"

namespace gateway::smtp {
namespace {

bool is_keyword(std::string_view text) {
  return !text.empty() && ascii::is_alnum(text.front()) &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return ascii::is_alnum(c) || c == '-'; });
}

// RFC 5321 4.1.2: printable US-ASCII except "=".
bool is_value(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return ascii::is_visible(c) && c != '='; });
}

}  // namespace

std::optional<std::vector<EsmtpParameter>> split_esmtp_parameters(std::string_view text) {
  std::vector<EsmtpParameter> parameters;
  while (true) {
    // Skip the separating spaces; the list ends with the text.
    const auto start = std::find_if_not(text.begin(), text.end(), ascii::is_wsp);
    text.remove_prefix(static_cast<std::size_t>(start - text.begin()));
    if (text.empty()) {
      return parameters;
    }
    if (parameters.size() == esmtp_parameters_max) {
      return std::nullopt;
    }

    // One parameter runs to the next space: a keyword and, after "=", a value.
    const auto end = std::find_if(text.begin(), text.end(), ascii::is_wsp);
    const std::string_view item = text.substr(0, static_cast<std::size_t>(end - text.begin()));
    text.remove_prefix(item.size());
    const std::size_t equals = item.find('=');
    const std::string_view keyword = item.substr(0, equals);
    if (!is_keyword(keyword)) {
      return std::nullopt;
    }
    EsmtpParameter parameter{std::string(keyword), std::nullopt};
    if (equals != std::string_view::npos) {
      const std::string_view value = item.substr(equals + 1);
      if (!is_value(value)) {
        return std::nullopt;
      }
      parameter.value = std::string(value);
    }
    parameters.push_back(std::move(parameter));
  }
}

}  // namespace gateway::smtp
