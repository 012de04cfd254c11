// The event trace: one JSON object per line,
//   {"t_us": <virtual microseconds>, "node": "<name>", "event": "<dotted.name>", ...fields}
// and its digest, the SHA-256 of exactly those bytes. Two runs of one world with one seed
// give byte-identical traces; that is what the determinism test compares.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "runtime/events.hpp"

namespace sim {

class Trace {
 public:
  // Receives every line (newline included) as it is written, for example to a file.
  using LineSink = std::function<void(std::string_view line)>;

  Trace();
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  void record(std::int64_t t_us, std::string_view node, std::string_view event,
              std::span<const runtime::Field> fields);

  // Keeps every line in memory (for tests and small runs); off by default.
  void keep_lines(bool keep) { keep_ = keep; }
  const std::string& text() const { return text_; }
  void set_sink(LineSink sink) { sink_ = std::move(sink); }

  std::uint64_t lines() const { return lines_; }

  // Lower-case hex SHA-256 of every byte recorded so far.
  std::string digest() const;

 private:
  struct Hash;
  std::unique_ptr<Hash> hash_;
  bool keep_ = false;
  std::string text_;
  std::string line_;
  LineSink sink_;
  std::uint64_t lines_ = 0;
};

}  // namespace sim
