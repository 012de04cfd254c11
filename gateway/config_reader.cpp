#include "gateway/config_reader.hpp"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

#include "gateway/config_values.hpp"

namespace gateway::config_reader {
namespace {

// A key this many edits or fewer from a known one is probably that key misspelled.
constexpr std::size_t max_suggestion_edits = 2;

// yaml-cpp counts lines from 0; people and editors count from 1.
int line_of(const YAML::Mark& mark, int fallback) {
  return mark.is_null() ? fallback : mark.line + 1;
}

// Levenshtein distance: the fewest single-character edits turning one word into another.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Quotes text for an error message, escaping what would break the message's single line.
std::string quote(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '\n') {
      quoted += "\\n";
    } else if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

}  // namespace

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) {
    return std::string(key);
  }
  return std::string(parent) + "." + std::string(key);
}

std::string item_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return quote(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "an empty value";
  }
  return "an unreadable value";
}

Context::Context(std::string file_path, std::string key_prefix)
    : file_path_(std::move(file_path)), key_prefix_(std::move(key_prefix)) {}

void Context::error(int line, std::string_view path, std::string message) {
  std::string full_path = path.empty() ? key_prefix_ : child_path(key_prefix_, path);
  errors_.add(ConfigError{file_path_, line, std::move(full_path), std::move(message)});
}

int Context::line_of(std::string_view path) const {
  while (true) {
    if (auto found = lines_.find(path); found != lines_.end()) {
      return found->second;
    }
    auto cut = path.find_last_of(".[");
    if (cut == std::string_view::npos) {
      break;
    }
    path = path.substr(0, cut);
  }
  auto top = lines_.find("");
  return top == lines_.end() ? 1 : top->second;
}

MapReader::MapReader(const Field& field, Context& context)
    : field_(field), context_(context), is_mapping_(field.node.IsMap()) {
  if (!is_mapping_) {
    context_.error(field_, "expected a mapping of keys, got " + describe(field_.node));
    return;
  }
  collect_entries();
}

MapReader::~MapReader() {
  assert(finished_ && "every MapReader ends with finish()");
}

// Reads the keys once, reporting keys that are not plain text and keys written twice
// (yaml-cpp keeps both, and silently using either would hide a mistake).
void MapReader::collect_entries() {
  for (const auto& pair : field_.node) {
    int line = line_of(pair.first.Mark(), field_.line);
    if (!pair.first.IsScalar()) {
      context_.error(line, field_.path, "a key must be plain text, got " + describe(pair.first));
      continue;
    }
    const std::string& key = pair.first.Scalar();
    auto earlier = std::find_if(entries_.begin(), entries_.end(),
                                [&](const Entry& entry) { return entry.key == key; });
    if (earlier != entries_.end()) {
      context_.error(line, child_path(field_.path, key),
                     "written twice; the first is on line " + std::to_string(earlier->line));
      continue;
    }
    entries_.push_back(Entry{key, pair.second, line});
  }
}

std::optional<Field> MapReader::optional(std::string_view key) {
  known_keys_.emplace_back(key);
  auto entry = std::find_if(entries_.begin(), entries_.end(),
                            [&](const Entry& candidate) { return candidate.key == key; });
  if (entry == entries_.end()) {
    return std::nullopt;
  }
  entry->read = true;
  Field child{entry->value, child_path(field_.path, key), entry->line};
  context_.note(child.path, child.line);
  return child;
}

std::optional<Field> MapReader::required(std::string_view key) {
  auto child = optional(key);
  if (!child && is_mapping_) {
    context_.error(field_.line, child_path(field_.path, key), "required key is missing");
  }
  return child;
}

void MapReader::finish() {
  finished_ = true;
  for (const auto& entry : entries_) {
    if (!entry.read) {
      context_.error(entry.line, child_path(field_.path, entry.key),
                     "unknown key" + suggestion_for(entry.key));
    }
  }
}

std::string MapReader::suggestion_for(std::string_view key) const {
  std::string_view best;
  std::size_t best_distance = max_suggestion_edits + 1;
  for (const auto& known : known_keys_) {
    auto distance = edit_distance(key, known);
    if (distance < best_distance && distance < known.size()) {
      best = known;
      best_distance = distance;
    }
  }
  return best.empty() ? std::string() : "; did you mean " + quote(best) + "?";
}

std::vector<Field> list_items(const Field& field, Context& context) {
  std::vector<Field> items;
  if (!field.node.IsSequence()) {
    context.error(field, "expected a list, got " + describe(field.node));
    return items;
  }
  for (std::size_t index = 0; index < field.node.size(); ++index) {
    const YAML::Node item = field.node[index];
    Field child{item, item_path(field.path, index), line_of(item.Mark(), field.line)};
    context.note(child.path, child.line);
    items.push_back(std::move(child));
  }
  return items;
}

std::optional<std::string> scalar_text(const Field& field, Context& context,
                                       std::string_view expected) {
  if (!field.node.IsScalar()) {
    context.error(field, "expected " + std::string(expected) + ", got " + describe(field.node));
    return std::nullopt;
  }
  return field.node.Scalar();
}

std::optional<std::string> read_value(const Field& field, Context& context, const TextRule& rule) {
  auto text = scalar_text(field, context, "text");
  if (text && text->empty() && !rule.allow_empty) {
    context.error(field, "must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<bool> read_value(const Field& field, Context& context, const FlagRule&) {
  auto text = scalar_text(field, context, "true or false");
  if (!text) {
    return std::nullopt;
  }
  if (*text == "true" || *text == "false") {
    return *text == "true";
  }
  context.error(field, "expected true or false, got " + describe(field.node));
  return std::nullopt;
}

std::optional<std::uint64_t> read_value(const Field& field, Context& context,
                                        const CountRule& rule) {
  auto text = scalar_text(field, context, "a whole number");
  if (!text) {
    return std::nullopt;
  }
  auto count = config_values::parse_count(*text);
  if (!count) {
    context.error(field, "expected a whole number, got " + describe(field.node));
    return std::nullopt;
  }
  if (*count < rule.min) {
    context.error(field, fmt::format("must be at least {}, got {}", rule.min, *count));
    return std::nullopt;
  }
  return count;
}

std::optional<std::chrono::milliseconds> read_value(const Field& field, Context& context,
                                                    const DurationRule& rule) {
  constexpr std::string_view expected =
      "a duration: an integer and a unit ms, s, m, h or d (such as 30s)";
  auto text = scalar_text(field, context, expected);
  if (!text) {
    return std::nullopt;
  }
  auto duration = config_values::parse_duration(*text);
  if (!duration) {
    context.error(field, fmt::format("expected {}, got {}", expected, describe(field.node)));
    return std::nullopt;
  }
  if (*duration < rule.min) {
    context.error(field, fmt::format("must be at least {}, got {}",
                                     config_values::format_duration(rule.min), *text));
    return std::nullopt;
  }
  return duration;
}

std::optional<std::uint64_t> read_value(const Field& field, Context& context,
                                        const SizeRule& rule) {
  constexpr std::string_view expected =
      "a size: bytes, or an integer with KiB, MiB or GiB (such as 25MiB)";
  auto text = scalar_text(field, context, expected);
  if (!text) {
    return std::nullopt;
  }
  auto bytes = config_values::parse_size_bytes(*text);
  if (!bytes) {
    context.error(field, fmt::format("expected {}, got {}", expected, describe(field.node)));
    return std::nullopt;
  }
  if (*bytes < rule.min_bytes) {
    context.error(field, fmt::format("must be at least {}, got {}",
                                     config_values::format_size(rule.min_bytes), *text));
    return std::nullopt;
  }
  return bytes;
}

std::optional<double> read_value(const Field& field, Context& context, const DecimalRule& rule) {
  auto text = scalar_text(field, context, "a number such as 2 or 1.5");
  if (!text) {
    return std::nullopt;
  }
  auto value = config_values::parse_decimal(*text);
  if (!value) {
    context.error(field, "expected a number such as 2 or 1.5, got " + describe(field.node));
    return std::nullopt;
  }
  if (*value < rule.min || *value > rule.max) {
    context.error(field, fmt::format("must be from {} to {}, got {}", rule.min, rule.max, *text));
    return std::nullopt;
  }
  return value;
}

std::optional<runtime::Endpoint> read_value(const Field& field, Context& context,
                                            const EndpointRule&) {
  constexpr std::string_view expected = "host:port or [v6]:port";
  auto text = scalar_text(field, context, expected);
  if (!text) {
    return std::nullopt;
  }
  auto endpoint = runtime::Endpoint::parse(*text);
  if (!endpoint) {
    context.error(field, fmt::format("expected {}, got {}", expected, describe(field.node)));
    return std::nullopt;
  }
  return *endpoint;
}

std::optional<std::string> read_value(const Field& field, Context& context,
                                      const DomainRule& rule) {
  auto text = scalar_text(field, context, "a domain name");
  if (!text) {
    return std::nullopt;
  }
  if (*text == "*") {
    if (rule.allow_wildcard) {
      return text;
    }
    context.error(field,
                  "\"*\" is not allowed here: the gateway would accept mail for "
                  "every domain and relay it, which makes an open relay");
    return std::nullopt;
  }
  if (!config_values::is_domain_name(*text)) {
    context.error(field,
                  "expected a domain name such as corp.example, got " + describe(field.node));
    return std::nullopt;
  }
  return config_values::to_lower(*text);
}

std::optional<std::string> read_value(const Field& field, Context& context,
                                      const AddressRule& rule) {
  constexpr std::string_view expected = "an address such as postmaster@corp.example";
  auto text = scalar_text(field, context, expected);
  if (!text) {
    return std::nullopt;
  }
  auto address = config_values::normalize_address(*text);
  if (!address) {
    context.error(field, fmt::format("expected {}, got {}", expected, describe(field.node)));
    return std::nullopt;
  }
  return rule.fold_local_part ? config_values::to_lower(*address) : *address;
}

std::optional<std::string> read_value(const Field& field, Context& context, const UrlRule&) {
  constexpr std::string_view expected =
      "an http:// or https:// URL without query or fragment (such as http://127.0.0.1:18194)";
  auto text = scalar_text(field, context, expected);
  if (!text) {
    return std::nullopt;
  }
  auto url = config_values::normalize_base_url(*text);
  if (!url) {
    context.error(field, fmt::format("expected {}, got {}", expected, describe(field.node)));
  }
  return url;
}

std::optional<std::string> read_value(const Field& field, Context& context, const PathRule&) {
  auto text = scalar_text(field, context, "a path");
  if (!text) {
    return std::nullopt;
  }
  if (text->empty()) {
    context.error(field, "expected a path, got an empty value");
    return std::nullopt;
  }
  return config_values::resolve_path(context.file_path(), *text);
}

}  // namespace gateway::config_reader
