// A small multipart/form-data reader (RFC 7578 over RFC 2046 section 5.1) for uploads: a
// `request` part with JSON and a `file` part with the bytes. It checks what a hostile
// client could break (the boundary's length, the number of parts, the size of each part's
// header block) and returns views into the body it was given.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace emulator_mock {

struct FormPart {
  std::string_view name;          // Content-Disposition's name parameter
  std::string_view file_name;     // its filename parameter, or empty
  std::string_view content_type;  // empty when the part has none
  std::string_view content;
};

inline constexpr std::size_t max_form_parts = 16;
inline constexpr std::size_t max_part_header_bytes = 4096;

// The boundary parameter of a multipart/form-data Content-Type value, unquoted; nothing
// when the type is another one or the boundary is missing or longer than 70 characters.
std::optional<std::string_view> form_boundary(std::string_view content_type);

// The parts of `body`, or nothing when it is not a well-formed multipart body with that
// boundary (missing delimiters, a part without a name, too many parts, oversized headers).
std::optional<std::vector<FormPart>> parse_form(std::string_view body, std::string_view boundary);

}  // namespace emulator_mock
