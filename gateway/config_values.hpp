// The spelling of configuration values: durations, sizes, counts, domains, addresses, base
// URLs and paths. Pure text rules with no YAML and no filesystem, so that each can be
// tested on its own and reused wherever a value is spelled the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gateway::config_values {

// An integer and a unit, ms, s, m, h or d, with nothing between or around them: "250ms",
// "30s", "10m", "2h", "5d". Empty when malformed or too long for a steady-clock duration.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// Bytes ("4096") or an integer with KiB, MiB or GiB ("64KiB", "25MiB", "1GiB"). Empty when
// malformed or beyond 64 bits.
std::optional<std::uint64_t> parse_size_bytes(std::string_view text);

// Decimal digits only, no sign. Empty when malformed or beyond 64 bits.
std::optional<std::uint64_t> parse_count(std::string_view text);

// A finite decimal number without exponent, such as "2" or "1.5".
std::optional<double> parse_decimal(std::string_view text);

// A name of dot-separated labels of letters, digits and inner hyphens, within the
// lengths of RFC 1035 and RFC 5321; no trailing dot, no address literal.
bool is_domain_name(std::string_view text);

// "local@domain" with a dot-atom local part (RFC 5322 3.2.3) and a domain name. Returns
// the address with its domain in lower case; the local part keeps its case, because
// RFC 5321 2.4 lets the receiving server treat it as case-sensitive.
std::optional<std::string> normalize_address(std::string_view text);

// "http://" or "https://", a non-empty authority, and an optional path; no query, no
// fragment, no spaces. Returns the URL without trailing slashes, ready for paths to be
// appended, with its scheme in lower case.
std::optional<std::string> normalize_base_url(std::string_view text);

// ASCII lower case; domains are the only values folded, and they are ASCII.
std::string to_lower(std::string_view text);

// `path` as seen from the folder holding the configuration file: absolute paths stay, and
// relative ones are joined to that folder with any leading "./" dropped. Pure string
// work: nothing is looked up on disk, and "~" has no special meaning.
std::string resolve_path(std::string_view config_file_path, std::string_view path);

// The largest unit that divides the value exactly: 90000ms is "90s", 600000ms is "10m".
std::string format_duration(std::chrono::milliseconds value);

// The largest binary unit that divides the value exactly: 26214400 is "25MiB".
std::string format_size(std::uint64_t bytes);

}  // namespace gateway::config_values
