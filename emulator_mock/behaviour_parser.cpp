#include "emulator_mock/behaviour_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include <yaml-cpp/yaml.h>

namespace emulator_mock {
namespace {

// One value in the document: its node, its key path and the line of its key.
struct Field {
  YAML::Node node;
  std::string path;
  int line = 1;
};

// yaml-cpp counts lines from 0; people and editors count from 1.
int line_of(const YAML::Mark& mark, int fallback) {
  return mark.is_null() ? fallback : mark.line + 1;
}

std::string child_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

std::string describe(const YAML::Node& node) {
  if (node.IsSequence()) {
    return "a list";
  }
  if (node.IsMap()) {
    return "a mapping";
  }
  if (!node.IsScalar() || node.Scalar().empty()) {
    return "an empty value";
  }
  std::string text = node.Scalar().substr(0, 60);
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return "\"" + text + "\"";
}

class Errors {
 public:
  explicit Errors(std::string_view file) : file_(file) {}
  void add(int line, std::string path, std::string message) {
    list_.push_back(BehaviourError{file_, line, std::move(path), std::move(message)});
  }
  void add(const Field& field, std::string message) {
    add(field.line, field.path, std::move(message));
  }
  std::vector<BehaviourError> take() {
    std::stable_sort(list_.begin(), list_.end(),
                     [](const auto& a, const auto& b) { return a.line < b.line; });
    return std::move(list_);
  }

 private:
  std::string file_;
  std::vector<BehaviourError> list_;
};

// The keys of one mapping. Keys asked for become known; finish() reports the rest.
class MapReader {
 public:
  MapReader(const Field& field, Errors& errors) : field_(field), errors_(errors) {
    if (field.node.IsNull() || !field.node.IsDefined()) {
      return;
    }
    if (!field.node.IsMap()) {
      errors_.add(field, "expected a mapping, got " + describe(field.node));
      return;
    }
    for (const auto& pair : field.node) {
      const int line = line_of(pair.first.Mark(), field.line);
      if (!pair.first.IsScalar()) {
        errors_.add(line, field.path, "a key must be plain text");
        continue;
      }
      entries_.push_back(Entry{pair.first.Scalar(), pair.second, line, false});
    }
  }

  std::optional<Field> get(std::string_view key) {
    for (auto& entry : entries_) {
      if (entry.key == key) {
        entry.read = true;
        return Field{entry.value, child_path(field_.path, key), entry.line};
      }
    }
    return std::nullopt;
  }

  void finish() {
    for (const auto& entry : entries_) {
      if (!entry.read) {
        errors_.add(entry.line, child_path(field_.path, entry.key), "unknown key");
      }
    }
  }

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    int line;
    bool read;
  };
  Field field_;
  Errors& errors_;
  std::vector<Entry> entries_;
};

std::optional<std::string> scalar(const Field& field, Errors& errors, std::string_view wanted) {
  if (!field.node.IsScalar() || field.node.Scalar().empty()) {
    errors.add(field, "expected " + std::string(wanted) + ", got " + describe(field.node));
    return std::nullopt;
  }
  return field.node.Scalar();
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::chrono::milliseconds> read_duration(const Field& field, Errors& errors) {
  auto text = scalar(field, errors, "a duration such as 250ms, 30s, 10m, 2h or 5d");
  if (!text) {
    return std::nullopt;
  }
  auto value = parse_duration(*text);
  if (!value) {
    errors.add(field, "expected a duration such as 250ms, 30s, 10m, 2h or 5d, got " +
                          describe(field.node));
  }
  return value;
}

std::optional<std::uint64_t> read_count(const Field& field, Errors& errors, std::uint64_t min) {
  auto text = scalar(field, errors, "a whole number");
  if (!text) {
    return std::nullopt;
  }
  auto value = parse_count(*text);
  if (!value || *value < min) {
    errors.add(field, "expected a whole number of at least " + std::to_string(min) + ", got " +
                          describe(field.node));
    return std::nullopt;
  }
  return value;
}

std::optional<double> read_decimal(const Field& field, Errors& errors, double min, double max) {
  auto text = scalar(field, errors, "a number");
  if (!text) {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || !std::isfinite(value) ||
      value < min || value > max) {
    errors.add(field, "expected a number from " + std::to_string(min).substr(0, 3) + " to " +
                          std::to_string(max).substr(0, 3) + ", got " + describe(field.node));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> read_flag(const Field& field, Errors& errors) {
  auto text = scalar(field, errors, "true or false");
  if (text && (*text == "true" || *text == "false")) {
    return *text == "true";
  }
  if (text) {
    errors.add(field, "expected true or false, got " + describe(field.node));
  }
  return std::nullopt;
}

std::optional<Verdict> read_verdict(const Field& field, Errors& errors) {
  auto text = scalar(field, errors, "benign, malicious or unknown");
  if (!text) {
    return std::nullopt;
  }
  auto verdict = verdict_from_name(*text);
  if (!verdict) {
    errors.add(field, "expected benign, malicious or unknown, got " + describe(field.node));
  }
  return verdict;
}

std::optional<StatusCode> read_status(const Field& field, Errors& errors) {
  auto value = read_count(field, errors, first_status_code);
  if (!value) {
    return std::nullopt;
  }
  auto code = *value <= last_status_code ? status_from_number(static_cast<int>(*value))
                                         : std::nullopt;
  if (!code) {
    errors.add(field, "expected a status code from 1001 to 1011, got " + describe(field.node));
  }
  return code;
}

std::vector<Field> list_items(const Field& field, Errors& errors) {
  std::vector<Field> items;
  if (field.node.IsNull()) {
    return items;
  }
  if (!field.node.IsSequence()) {
    errors.add(field, "expected a list, got " + describe(field.node));
    return items;
  }
  for (std::size_t i = 0; i < field.node.size(); ++i) {
    const YAML::Node item = field.node[i];
    items.push_back(Field{item, field.path + "[" + std::to_string(i) + "]",
                          line_of(item.Mark(), field.line)});
  }
  return items;
}

bool is_sha256(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

std::optional<DelayModel> read_delay(const Field& field, Errors& errors) {
  // The short form: a duration alone is a fixed delay.
  if (field.node.IsScalar()) {
    auto value = read_duration(field, errors);
    if (!value) {
      return std::nullopt;
    }
    return DelayModel::fixed_delay(*value);
  }
  MapReader map(field, errors);
  DelayModel delay;
  bool ok = true;
  auto need = [&](std::string_view key) -> std::optional<std::chrono::milliseconds> {
    auto child = map.get(key);
    if (!child) {
      errors.add(field.line, child_path(field.path, key), "required key is missing");
      ok = false;
      return std::nullopt;
    }
    auto value = read_duration(*child, errors);
    ok = ok && value.has_value();
    return value;
  };
  auto model_field = map.get("model");
  const std::string model =
      model_field ? scalar(*model_field, errors, "a delay model").value_or("") : "fixed";
  if (model == "fixed") {
    delay = DelayModel::fixed_delay(need("value").value_or(std::chrono::milliseconds(0)));
  } else if (model == "uniform") {
    delay.kind = DelayModel::Kind::uniform;
    delay.min = need("min").value_or(std::chrono::milliseconds(0));
    delay.max = need("max").value_or(std::chrono::milliseconds(0));
    if (ok && delay.max < delay.min) {
      errors.add(field, "max must not be less than min");
      ok = false;
    }
  } else if (model == "exponential") {
    delay.kind = DelayModel::Kind::exponential;
    delay.mean = need("mean").value_or(std::chrono::milliseconds(0));
  } else if (model == "lognormal") {
    delay.kind = DelayModel::Kind::lognormal;
    delay.median = need("median").value_or(std::chrono::milliseconds(0));
    if (auto sigma = map.get("sigma")) {
      auto value = read_decimal(*sigma, errors, 0, 10);
      ok = ok && value.has_value();
      delay.sigma = value.value_or(0);
    } else {
      errors.add(field.line, child_path(field.path, "sigma"), "required key is missing");
      ok = false;
    }
  } else {
    if (model_field && !model.empty()) {
      errors.add(*model_field, "expected fixed, uniform, exponential or lognormal, got " +
                                   describe(model_field->node));
    }
    ok = false;
  }
  map.finish();
  if (!ok) {
    return std::nullopt;
  }
  return delay;
}

// `in_rule`: a rule's fault applies to that rule's files and cannot refuse connections,
// which stop the listener for everyone.
std::optional<Fault> read_fault(const Field& field, Errors& errors, bool in_rule) {
  if (field.node.IsScalar()) {
    // The short form: a kind alone, always firing.
    auto kind = fault_kind_from_name(field.node.Scalar());
    if (!kind || *kind == FaultKind::status || *kind == FaultKind::refuse) {
      errors.add(field, "expected a fault kind (http_500, http_503, hang, reset, "
                        "malformed_json, slow_body) or a mapping, got " + describe(field.node));
      return std::nullopt;
    }
    return Fault{.kind = *kind};
  }
  MapReader map(field, errors);
  Fault fault;
  bool ok = true;
  if (auto kind_field = map.get("kind")) {
    auto text = scalar(*kind_field, errors, "a fault kind");
    auto kind = text ? fault_kind_from_name(*text) : std::nullopt;
    if (text && !kind) {
      errors.add(*kind_field, "expected http_500, http_503, status, refuse, hang, reset, "
                              "malformed_json or slow_body, got " + describe(kind_field->node));
    }
    ok = kind.has_value();
    fault.kind = kind.value_or(FaultKind::http_500);
  } else {
    errors.add(field.line, child_path(field.path, "kind"), "required key is missing");
    ok = false;
  }
  auto take = [&](auto value, auto& target) {
    if (value) {
      target = *value;
    } else {
      ok = false;
    }
  };
  if (auto f = map.get("probability")) {
    take(read_decimal(*f, errors, 0, 1), fault.probability);
  }
  if (auto f = map.get("requests")) {
    fault.on_query = fault.on_upload = false;
    for (const auto& item : list_items(*f, errors)) {
      auto text = scalar(item, errors, "query or upload");
      if (text == "query" || text == "upload") {
        (*text == "query" ? fault.on_query : fault.on_upload) = true;
      } else if (text) {
        errors.add(item, "expected query or upload, got " + describe(item.node));
        ok = false;
      }
    }
  }
  if (fault.kind == FaultKind::status) {
    if (auto f = map.get("code")) {
      take(read_status(*f, errors), fault.code);
    } else {
      errors.add(field.line, child_path(field.path, "code"), "required key is missing");
      ok = false;
    }
  }
  if (fault.kind == FaultKind::slow_body) {
    if (auto f = map.get("chunk_bytes")) {
      auto value = read_count(*f, errors, 1);
      take(value ? std::optional<std::size_t>(*value) : std::nullopt, fault.chunk_bytes);
    }
    if (auto f = map.get("interval")) {
      take(read_duration(*f, errors), fault.interval);
    }
  }
  if (fault.kind == FaultKind::hang) {
    if (auto f = map.get("hang_for")) {
      take(read_duration(*f, errors), fault.hang_for);
    }
  }
  if (!in_rule) {
    if (auto f = map.get("from")) {
      auto value = read_duration(*f, errors);
      ok = ok && value.has_value();
      fault.from = value;
    }
    if (auto f = map.get("until")) {
      auto value = read_duration(*f, errors);
      ok = ok && value.has_value();
      fault.until = value;
      if (value && fault.from && *value <= *fault.from) {
        errors.add(*f, "must be later than from");
        ok = false;
      }
    }
  }
  if (ok && fault.kind == FaultKind::refuse && (in_rule || !fault.from)) {
    errors.add(field.line, child_path(field.path, "kind"),
               in_rule ? "refuse stops the whole service, so it belongs under faults, not a rule"
                       : "refuse needs a window: from (and usually until)");
    ok = false;
  }
  map.finish();
  if (!ok) {
    return std::nullopt;
  }
  return fault;
}

std::optional<Match> read_match(const Field& field, Errors& errors) {
  MapReader map(field, errors);
  Match match;
  bool ok = true;
  if (auto f = map.get("eicar")) {
    auto value = read_flag(*f, errors);
    ok = value.has_value();
    match.eicar = value.value_or(false);
  }
  if (auto f = map.get("sha256")) {
    for (const auto& item : list_items(*f, errors)) {
      auto text = scalar(item, errors, "a SHA-256 in hex");
      if (text && is_sha256(*text)) {
        match.sha256.push_back(lower(*text));
      } else {
        if (text) {
          errors.add(item, "expected 64 hex digits, got " + describe(item.node));
        }
        ok = false;
      }
    }
  }
  if (auto f = map.get("file_name")) {
    for (const auto& item : list_items(*f, errors)) {
      auto text = scalar(item, errors, "a file name pattern");
      ok = ok && text.has_value();
      if (text) {
        match.file_names.push_back(*text);
      }
    }
  }
  map.finish();
  if (!ok) {
    return std::nullopt;
  }
  return match;
}

std::optional<Rule> read_rule(const Field& field, std::size_t index, Errors& errors) {
  MapReader map(field, errors);
  Rule rule;
  rule.name = "rules[" + std::to_string(index) + "]";
  bool ok = true;
  if (auto f = map.get("name")) {
    auto text = scalar(*f, errors, "a name");
    ok = text.has_value();
    rule.name = text.value_or(rule.name);
  }
  if (auto f = map.get("match")) {
    auto match = read_match(*f, errors);
    ok = ok && match.has_value();
    rule.match = match.value_or(Match{});
  } else {
    errors.add(field.line, child_path(field.path, "match"), "required key is missing");
    ok = false;
  }
  auto verdict_field = map.get("verdict");
  auto status_field = map.get("status");
  if (verdict_field) {
    rule.verdict = read_verdict(*verdict_field, errors);
    ok = ok && rule.verdict.has_value();
  }
  if (status_field) {
    rule.status = read_status(*status_field, errors);
    ok = ok && rule.status.has_value();
  }
  if (verdict_field && status_field) {
    errors.add(*status_field, "a rule gives a verdict or a status, not both");
    ok = false;
  } else if (!verdict_field && !status_field) {
    errors.add(field.line, child_path(field.path, "verdict"),
               "required key is missing (or give status)");
    ok = false;
  }
  if (auto f = map.get("delay")) {
    rule.delay = read_delay(*f, errors);
    ok = ok && rule.delay.has_value();
  }
  if (auto f = map.get("fault")) {
    rule.fault = read_fault(*f, errors, true);
    ok = ok && rule.fault.has_value();
  }
  map.finish();
  if (!ok) {
    return std::nullopt;
  }
  return rule;
}

void read_document(const Field& root, Behaviour& behaviour, Errors& errors) {
  MapReader map(root, errors);
  if (auto f = map.get("default")) {
    MapReader defaults(*f, errors);
    if (auto v = defaults.get("verdict")) {
      behaviour.default_verdict = read_verdict(*v, errors).value_or(behaviour.default_verdict);
    }
    if (auto d = defaults.get("delay")) {
      behaviour.default_delay = read_delay(*d, errors).value_or(behaviour.default_delay);
    }
    defaults.finish();
  }
  if (auto f = map.get("capacity")) {
    behaviour.capacity = read_count(*f, errors, 0).value_or(behaviour.capacity);
  }
  if (auto f = map.get("max_files")) {
    behaviour.max_files = read_count(*f, errors, 1).value_or(behaviour.max_files);
  }
  if (auto f = map.get("max_file_size")) {
    auto text = scalar(*f, errors, "a size such as 4096, 64KiB or 32MiB");
    auto value = text ? parse_size_bytes(*text) : std::nullopt;
    if (text && (!value || *value == 0)) {
      errors.add(*f, "expected a size such as 4096, 64KiB or 32MiB, got " + describe(f->node));
    }
    behaviour.max_file_bytes = value.value_or(behaviour.max_file_bytes);
  }
  if (auto f = map.get("rules")) {
    behaviour.rules.clear();
    const auto items = list_items(*f, errors);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (auto rule = read_rule(items[i], i, errors)) {
        behaviour.rules.push_back(std::move(*rule));
      }
    }
  }
  if (auto f = map.get("faults")) {
    for (const auto& item : list_items(*f, errors)) {
      if (auto fault = read_fault(item, errors, false)) {
        behaviour.faults.push_back(*fault);
      }
    }
  }
  map.finish();
}

}  // namespace

std::string BehaviourError::to_string() const {
  std::string text = file + ":" + std::to_string(line) + ": ";
  if (!key_path.empty()) {
    text += key_path + ": ";
  }
  return text + message;
}

std::string BehaviourResult::error_text() const {
  std::string text;
  for (const auto& error : errors) {
    text += error.to_string() + "\n";
  }
  return text;
}

BehaviourResult parse_behaviour(std::string_view text, std::string_view file_name) {
  Errors errors(file_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    errors.add(line_of(error.mark, 1), "", "not valid YAML: " + error.msg);
    return BehaviourResult{std::nullopt, errors.take()};
  }
  Behaviour behaviour;
  read_document(Field{root, "", 1}, behaviour, errors);
  auto found = errors.take();
  if (!found.empty()) {
    return BehaviourResult{std::nullopt, std::move(found)};
  }
  return BehaviourResult{std::move(behaviour), {}};
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    std::int64_t milliseconds;
  };
  // "ms" comes before "m" and "s", which are its suffixes.
  constexpr Unit units[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000},
                            {"d", 86'400'000}};
  for (const auto& unit : units) {
    if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
      auto count = parse_count(text.substr(0, text.size() - unit.suffix.size()));
      const auto limit =
          static_cast<std::uint64_t>(std::chrono::milliseconds(max_delay).count() * 100);
      if (!count || *count > limit / static_cast<std::uint64_t>(unit.milliseconds)) {
        return std::nullopt;
      }
      return std::chrono::milliseconds(static_cast<std::int64_t>(*count) * unit.milliseconds);
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_size_bytes(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    std::uint64_t bytes;
  };
  constexpr Unit units[] = {{"KiB", 1ULL << 10}, {"MiB", 1ULL << 20}, {"GiB", 1ULL << 30}};
  for (const auto& unit : units) {
    if (text.ends_with(unit.suffix)) {
      auto count = parse_count(text.substr(0, text.size() - unit.suffix.size()));
      if (!count || *count > std::numeric_limits<std::uint64_t>::max() / unit.bytes) {
        return std::nullopt;
      }
      return *count * unit.bytes;
    }
  }
  return parse_count(text);
}

}  // namespace emulator_mock
