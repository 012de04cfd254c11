#include "gateway/inspection/header_block.hpp"

#include <algorithm>

#include "gateway/inspection/source_lines.hpp"
#include "gateway/smtp/ascii.hpp"

namespace gateway::inspection {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (is_blank(text.front()) || text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (is_blank(text.back()) || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// The field name of a header line ("Name:" or the obsolete "Name :"), or empty when the
// line is not a field. RFC 5322 3.6.8: printable US-ASCII except the colon.
std::string_view field_name(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    return {};
  }
  const std::string_view name = trim(line.substr(0, colon));
  if (name.empty()) {
    return {};
  }
  const bool printable =
      std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127 && c != ':'; });
  return printable ? name : std::string_view();
}

}  // namespace

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return smtp::ascii::iequals(a, b);
}

std::string to_lower(std::string_view text) {
  return smtp::ascii::to_lower(text);
}

std::vector<const HeaderField*> HeaderBlock::all(std::string_view name) const {
  std::vector<const HeaderField*> found;
  for (const auto& field : fields) {
    if (equals_ignoring_case(field.name, name)) {
      found.push_back(&field);
    }
  }
  return found;
}

runtime::Result<HeaderBlock> read_header_block(ContentSource& source, ByteRange part,
                                               std::uint64_t size_max) {
  HeaderBlock block;
  block.fields_end = block.body_begin = part.end;
  auto note = [&block](std::string_view problem) {
    if (block.malformed.empty()) {
      block.malformed = std::string(problem);
    }
  };

  // Lines are read up to the empty line even past a malformed one, so that a rewrite still
  // knows where the header ends; fields are what could be read.
  SourceLines lines(source, part);
  bool continuable = false;  // the line before was a field, so a blank may continue it
  for (;;) {
    auto next = lines.next();
    if (!next) {
      return next.error();
    }
    if (!*next) {
      return block;  // the part ended inside its header: no body
    }
    const SourceLine& line = **next;
    if (line.empty()) {
      block.fields_end = line.begin;
      block.body_begin = line.end;
      return block;
    }
    if (line.end - part.begin > size_max) {
      note("header larger than its limit");
      return block;
    }
    // TODO: a header line longer than SourceLines::head_size_bytes makes the part
    // unparseable; such lines break RFC 5322's 998-octet limit, but a legitimate sender
    // that writes one has its attachment handled by the fail mode.
    if (line.truncated) {
      note("header line too long");
      continuable = false;
      continue;
    }

    // A line starting with a blank continues the field before it.
    if (is_blank(line.head.front())) {
      if (!continuable) {
        note("continuation line without a field");
        continue;
      }
      auto& field = block.fields.back();
      field.value += std::string(line.head);
      field.range.end = line.end;
      continue;
    }
    const std::string_view name = field_name(line.head);
    if (name.empty()) {
      note("header line that is not a field");
      continuable = false;
      continue;
    }
    HeaderField field;
    field.name = std::string(name);
    field.value = std::string(trim(line.head.substr(line.head.find(':') + 1)));
    field.range = {line.begin, line.end};
    block.fields.push_back(std::move(field));
    continuable = true;
  }
}

namespace {

// Splits `text` at `;` outside quoted strings and comments.
std::vector<std::string_view> split_parameters(std::string_view text) {
  std::vector<std::string_view> pieces;
  bool quoted = false;
  int comment_depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"' && comment_depth == 0) {
      quoted = true;
    } else if (c == '(') {
      ++comment_depth;
    } else if (c == ')' && comment_depth > 0) {
      --comment_depth;
    } else if (c == ';' && comment_depth == 0) {
      pieces.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  pieces.push_back(text.substr(start));
  return pieces;
}

std::string unquote(std::string_view value) {
  value = trim(value);
  if (value.size() < 2 || value.front() != '"') {
    return std::string(value);
  }
  std::string plain;
  for (std::size_t i = 1; i < value.size() && value[i] != '"'; ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) {
      ++i;
    }
    plain.push_back(value[i]);
  }
  return plain;
}

}  // namespace

ParameterList parse_parameters(std::string_view value) {
  ParameterList list;
  const auto pieces = split_parameters(value);
  const std::string_view token = pieces.front();
  list.token = to_lower(trim(token.substr(0, token.find('('))));
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    const auto equals = pieces[i].find('=');
    if (equals == std::string_view::npos) {
      continue;
    }
    list.parameters.emplace_back(to_lower(trim(pieces[i].substr(0, equals))),
                                 unquote(pieces[i].substr(equals + 1)));
  }
  return list;
}

std::vector<std::string> ParameterList::values(std::string_view name) const {
  std::vector<std::string> found;
  for (const auto& [key, value] : parameters) {
    if (key == name) {
      found.push_back(value);
    }
  }
  return found;
}

}  // namespace gateway::inspection
