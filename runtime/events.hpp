// Protocol and life-cycle events (a command received, a reply sent, a message spooled).
// In the simulated world they become the trace, JSON lines with virtual timestamps; in
// the real world they go to the debug log. Events hold plaintext only, never ciphertext.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace runtime {

struct Field {
  using Value = std::variant<std::int64_t, std::string_view, bool>;

  template <std::integral T>
    requires(!std::same_as<T, bool>)
  Field(std::string_view k, T v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}

  std::string_view key;
  Value value;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void record(std::string_view event, std::span<const Field> fields) = 0;

  void record(std::string_view event, std::initializer_list<Field> fields) {
    record(event, std::span<const Field>(fields.begin(), fields.size()));
  }
};

// Appends `text` to `out` as a JSON string literal, quotes included. Bytes that are not
// valid UTF-8 become \u00XX escapes of the byte, so any input gives valid JSON.
void append_json_string(std::string& out, std::string_view text);

// Appends `"key": value` pairs for `fields`, each preceded by a comma.
void append_json_fields(std::string& out, std::span<const Field> fields);

}  // namespace runtime
