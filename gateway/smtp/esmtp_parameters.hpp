// The ESMTP parameters after the path in MAIL FROM and RCPT TO (RFC 5321 4.1.2):
//
//   esmtp-param   = esmtp-keyword ["=" esmtp-value]
//   esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//   esmtp-value   = 1*(%d33-60 / %d62-126)
//
// separated by single spaces. This file only splits and checks that syntax; which keywords
// a command accepts is decided in envelope.cpp.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::smtp {

struct EsmtpParameter {
  std::string keyword;               // as sent; compare case-insensitively
  std::optional<std::string> value;  // absent when there is no "="

  friend bool operator==(const EsmtpParameter&, const EsmtpParameter&) = default;
};

// A 512-octet command line cannot hold more than this many parameters of the shortest
// form ("X"), so a longer list is hostile; the bound keeps the vector small regardless.
inline constexpr std::size_t esmtp_parameters_max = 32;

// Splits `text` (what follows the path, possibly empty) into parameters; nothing when any
// parameter breaks the grammar or there are more than esmtp_parameters_max. Runs of spaces
// between parameters are tolerated.
std::optional<std::vector<EsmtpParameter>> split_esmtp_parameters(std::string_view text);

}  // namespace gateway::smtp
