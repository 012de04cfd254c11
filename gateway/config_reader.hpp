// Walking a YAML configuration while keeping track of where each value came from. Every
// value is read through a rule (a duration, a domain, a list of addresses...) that checks
// it and, when it is wrong, records an error naming the file, the line and the key path.
// Reading goes on after an error, so one pass finds every fault.
//
// Internal to the configuration parser: this header brings in yaml-cpp, which only the
// gateway library links.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "gateway/config_enums.hpp"
#include "gateway/config_errors.hpp"
#include "runtime/endpoint.hpp"

namespace gateway::config_reader {

// One value in the document: its node, its key path ("routes[0].tls") and the line of
// its key, which is where an operator looks for it.
struct Field {
  YAML::Node node;
  std::string path;
  int line = 1;
};

std::string child_path(std::string_view parent, std::string_view key);
std::string item_path(std::string_view parent, std::size_t index);

// How the document's text renders in an error: quoted text, "a list", "an empty value".
std::string describe(const YAML::Node& node);

// The errors found so far, and the line each key path was read on, so that checks across
// sections can run after reading and still name a line.
class Context {
 public:
  // `key_prefix` leads every key path in errors: empty for a configuration file of its
  // own, "world.gateway" for one embedded in a larger document.
  Context(std::string file_path, std::string key_prefix);

  const std::string& file_path() const { return file_path_; }

  void error(int line, std::string_view path, std::string message);
  void error(const Field& field, std::string message) {
    error(field.line, field.path, std::move(message));
  }

  void note(const std::string& path, int line) { lines_.insert_or_assign(path, line); }
  bool was_written(std::string_view path) const { return lines_.contains(path); }

  // The line `path` was read on; for a key that was not written, the line of its nearest
  // written parent, or the first line of the document.
  int line_of(std::string_view path) const;

  bool has_errors() const { return !errors_.empty(); }
  ConfigErrors take_errors() { return std::exchange(errors_, {}); }

 private:
  std::string file_path_;
  std::string key_prefix_;
  std::map<std::string, int, std::less<>> lines_;
  ConfigErrors errors_;
};

// The keys of one YAML mapping. Asking for a key makes it known; finish() reports every
// key in the document that nobody asked for as unknown, with the nearest known key as a
// suggestion. A field that is not a mapping is reported once and then reads as empty.
class MapReader {
 public:
  MapReader(const Field& field, Context& context);
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;
  ~MapReader();

  std::optional<Field> optional(std::string_view key);
  std::optional<Field> required(std::string_view key);
  void finish();

  Context& context() { return context_; }
  const Field& field() const { return field_; }

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    int line = 0;
    bool read = false;
  };

  void collect_entries();
  std::string suggestion_for(std::string_view key) const;

  Field field_;
  Context& context_;
  bool is_mapping_ = false;
  bool finished_ = false;
  std::vector<Entry> entries_;
  std::vector<std::string> known_keys_;
};

// The items of a list field, each with its own path and line. A field that is not a list
// is reported and yields no items.
std::vector<Field> list_items(const Field& field, Context& context);

// The rules. Each read_value() returns the checked value, or nothing after recording why.
struct TextRule {
  bool allow_empty = false;
};
struct FlagRule {};
struct CountRule {
  std::uint64_t min = 0;
};
struct DurationRule {
  std::chrono::milliseconds min{1};
};
struct SizeRule {
  std::uint64_t min_bytes = 1;
};
struct DecimalRule {
  double min = 0;
  double max = 0;
};
struct EndpointRule {};
struct DomainRule {
  bool allow_wildcard = false;  // "*", meaning every domain
};
struct AddressRule {
  bool fold_local_part = false;  // for addresses the gateway only compares against
};
struct UrlRule {};
struct PathRule {};
template <typename Enum, std::size_t size>
struct EnumRule {
  const std::array<EnumName<Enum>, size>& names;
};
template <typename ItemRule>
struct ListRule {
  ItemRule item;
  std::size_t min_items = 0;
};

std::optional<std::string> read_value(const Field& field, Context& context, const TextRule& rule);
std::optional<bool> read_value(const Field& field, Context& context, const FlagRule& rule);
std::optional<std::uint64_t> read_value(const Field& field, Context& context,
                                        const CountRule& rule);
std::optional<std::chrono::milliseconds> read_value(const Field& field, Context& context,
                                                    const DurationRule& rule);
std::optional<std::uint64_t> read_value(const Field& field, Context& context, const SizeRule& rule);
std::optional<double> read_value(const Field& field, Context& context, const DecimalRule& rule);
std::optional<runtime::Endpoint> read_value(const Field& field, Context& context,
                                            const EndpointRule& rule);
std::optional<std::string> read_value(const Field& field, Context& context, const DomainRule& rule);
std::optional<std::string> read_value(const Field& field, Context& context,
                                      const AddressRule& rule);
std::optional<std::string> read_value(const Field& field, Context& context, const UrlRule& rule);
std::optional<std::string> read_value(const Field& field, Context& context, const PathRule& rule);

// The scalar text of a field, or nothing after reporting that `expected` was wanted.
std::optional<std::string> scalar_text(const Field& field, Context& context,
                                       std::string_view expected);

template <typename Enum, std::size_t size>
std::optional<Enum> read_value(const Field& field, Context& context,
                               const EnumRule<Enum, size>& rule) {
  std::string choices;
  for (const auto& entry : rule.names) {
    choices += (choices.empty() ? "" : ", ") + std::string(entry.name);
  }
  auto text = scalar_text(field, context, "one of " + choices);
  if (!text) {
    return std::nullopt;
  }
  for (const auto& entry : rule.names) {
    if (*text == entry.name) {
      return entry.value;
    }
  }
  context.error(field, "expected one of " + choices + ", got " + describe(field.node));
  return std::nullopt;
}

// The type of value a rule yields.
template <typename Rule>
using ValueOf = typename decltype(read_value(std::declval<const Field&>(), std::declval<Context&>(),
                                             std::declval<const Rule&>()))::value_type;

template <typename ItemRule>
std::optional<std::vector<ValueOf<ItemRule>>> read_value(const Field& field, Context& context,
                                                         const ListRule<ItemRule>& rule) {
  if (!field.node.IsSequence()) {
    context.error(field, "expected a list, got " + describe(field.node));
    return std::nullopt;
  }
  std::vector<ValueOf<ItemRule>> values;
  bool all_read = true;
  for (const auto& item : list_items(field, context)) {
    auto value = read_value(item, context, rule.item);
    all_read = all_read && value.has_value();
    if (value) {
      values.push_back(std::move(*value));
    }
  }
  if (!all_read) {
    return std::nullopt;
  }
  if (values.size() < rule.min_items) {
    context.error(field, rule.min_items == 1
                             ? std::string("must list at least one entry")
                             : "must list at least " + std::to_string(rule.min_items) + " entries");
    return std::nullopt;
  }
  return values;
}

// Stores the value of `key` in `target` when the key is present and its value is valid;
// otherwise `target` keeps its default.
template <typename Target, typename Rule>
void read_optional(MapReader& map, std::string_view key, Target& target, const Rule& rule) {
  if (auto field = map.optional(key)) {
    if (auto value = read_value(*field, map.context(), rule)) {
      target = static_cast<Target>(std::move(*value));
    }
  }
}

// As read_optional(), and a missing key is an error.
template <typename Target, typename Rule>
void read_required(MapReader& map, std::string_view key, Target& target, const Rule& rule) {
  if (auto field = map.required(key)) {
    if (auto value = read_value(*field, map.context(), rule)) {
      target = static_cast<Target>(std::move(*value));
    }
  }
}

}  // namespace gateway::config_reader
