// A queue id names one spooled message everywhere: its files, its log lines, its events
// and the administration commands. It is 12 characters from [0-9A-Za-z], drawn from the
// node's seeded "queue-id" generator, so a simulated run repeats its ids for one seed.
#pragma once

#include <compare>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/random.hpp"

namespace gateway {

class QueueId {
 public:
  static constexpr std::size_t length = 12;

  // Draws a fresh id. Uniqueness against the spool is the spool's job: it redraws when a
  // name is taken.
  static QueueId generate(runtime::Random& random);

  // The id spelled by `text`, or nothing when `text` is not exactly `length` characters
  // from [0-9A-Za-z]. Names read from disk or typed by an operator go through here.
  static std::optional<QueueId> parse(std::string_view text);

  const std::string& text() const { return text_; }

  friend bool operator==(const QueueId&, const QueueId&) = default;
  friend std::strong_ordering operator<=>(const QueueId&, const QueueId&) = default;

 private:
  explicit QueueId(std::string text) : text_(std::move(text)) {}

  std::string text_;
};

}  // namespace gateway
