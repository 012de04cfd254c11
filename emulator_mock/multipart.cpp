#include "emulator_mock/multipart.hpp"

#include <string>

namespace emulator_mock {
namespace {

constexpr std::size_t max_boundary_length = 70;  // RFC 2046 5.1.1

char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (fold(a[i]) != fold(b[i])) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// The value of `;name=value` or `;name="value"` in a header value; nothing when absent.
// Quoted values end at the next quote: form clients escape quotes in names as %22.
std::optional<std::string_view> parameter(std::string_view header, std::string_view name) {
  std::size_t at = header.find(';');
  while (at != std::string_view::npos && at < header.size()) {
    // One parameter: key, "=", then a quoted or a plain value.
    const std::size_t equals = header.find('=', at + 1);
    if (equals == std::string_view::npos) {
      return std::nullopt;
    }
    const std::string_view key = trim(header.substr(at + 1, equals - at - 1));
    std::size_t value_start = equals + 1;
    while (value_start < header.size() && header[value_start] == ' ') {
      ++value_start;
    }
    std::string_view value;
    std::size_t next = 0;
    if (value_start < header.size() && header[value_start] == '"') {
      const std::size_t close = header.find('"', value_start + 1);
      if (close == std::string_view::npos) {
        return std::nullopt;
      }
      value = header.substr(value_start + 1, close - value_start - 1);
      next = header.find(';', close + 1);
    } else {
      next = header.find(';', value_start);
      value = trim(header.substr(value_start, next == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : next - value_start));
    }
    if (iequals(key, name)) {
      return value;
    }
    at = next;
  }
  return std::nullopt;
}

// Reads one part's header block (up to and including the blank line) into `part`.
bool read_part_headers(std::string_view block, FormPart& part) {
  bool disposition = false;
  while (!block.empty()) {
    const std::size_t end = block.find("\r\n");
    const std::string_view line = block.substr(0, end);
    block = end == std::string_view::npos ? std::string_view() : block.substr(end + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return false;
    }
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Disposition")) {
      if (!iequals(trim(value.substr(0, value.find(';'))), "form-data")) {
        return false;
      }
      auto field_name = parameter(value, "name");
      if (!field_name) {
        return false;
      }
      part.name = *field_name;
      part.file_name = parameter(value, "filename").value_or(std::string_view());
      disposition = true;
    } else if (iequals(name, "Content-Type")) {
      part.content_type = value;
    }
  }
  return disposition;
}

}  // namespace

std::optional<std::string_view> form_boundary(std::string_view content_type) {
  if (!iequals(trim(content_type.substr(0, content_type.find(';'))), "multipart/form-data")) {
    return std::nullopt;
  }
  auto boundary = parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > max_boundary_length) {
    return std::nullopt;
  }
  return boundary;
}

std::optional<std::vector<FormPart>> parse_form(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  const std::string separator = "\r\n" + delimiter;

  // The first delimiter opens the body (anything before it is a preamble).
  std::size_t at = body.starts_with(delimiter) ? 0 : body.find(separator);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  at += body.starts_with(delimiter) ? delimiter.size() : separator.size();

  std::vector<FormPart> parts;
  for (;;) {
    // After a delimiter: "--" closes the body, CRLF opens a part.
    const std::string_view after = body.substr(at);
    if (after.starts_with("--")) {
      return parts;
    }
    if (!after.starts_with("\r\n") || parts.size() == max_form_parts) {
      return std::nullopt;
    }
    at += 2;

    // Headers, a blank line, then content up to the next delimiter.
    const std::size_t blank = body.find("\r\n\r\n", at);
    const std::size_t header_end = body.substr(at, 2) == "\r\n" ? at : blank;
    if (header_end == std::string_view::npos || header_end - at > max_part_header_bytes) {
      return std::nullopt;
    }
    FormPart part;
    if (!read_part_headers(body.substr(at, header_end - at), part)) {
      return std::nullopt;
    }
    const std::size_t content_start = header_end + (header_end == at ? 2 : 4);
    const std::size_t content_end = body.find(separator, content_start);
    if (content_end == std::string_view::npos) {
      return std::nullopt;
    }
    part.content = body.substr(content_start, content_end - content_start);
    parts.push_back(part);
    at = content_end + separator.size();
  }
}

}  // namespace emulator_mock
