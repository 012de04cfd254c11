#include "gateway/smtp/data_reader.hpp"

#include <cassert>
#include <utility>

#include "gateway/smtp/ascii.hpp"

namespace gateway::smtp {
namespace {

constexpr std::string_view line_breaks = "\r\n";
constexpr std::string_view lone_cr = "\r";
constexpr std::string_view lone_lf = "\n";

}  // namespace

DataReader::DataReader(const ContentLimits& limits, ContentSink sink)
    : scanner_(limits, std::move(sink)) {}

std::size_t DataReader::feed(std::string_view input) {
  assert(!complete() && "the data already ended");

  // Step through the input until it runs out or the terminator is consumed.
  std::size_t consumed = 0;
  while (consumed < input.size() && !complete()) {
    consumed += step(input.substr(consumed));
  }
  wire_octets_ += consumed;

  // The terminator's CRLF "." CRLF leaves no partial line; finishing only flushes.
  if (complete()) {
    scanner_.finish();
  } else {
    scanner_.flush();
  }
  return consumed;
}

// Handles the front of `input` in the current state and returns the bytes consumed. Zero is
// returned only together with a change of state, which then handles the same byte, so the
// loop in feed() always advances.
std::size_t DataReader::step(std::string_view input) {
  const char c = input.front();
  switch (state_) {
    case State::line_start:
      state_ = c == '.' ? State::dot : State::text;
      return c == '.' ? 1 : 0;

    case State::dot:
      // RFC 5321 4.5.2: a line starting with a period and holding more loses that period.
      // Whatever follows is read as text, except CR, which may be the terminator's.
      state_ = c == ascii::cr ? State::dot_cr : State::text;
      return c == ascii::cr ? 1 : 0;

    case State::dot_cr:
      // "." CRLF at the start of a line ends the data. A CR after the period that is not
      // followed by LF is content, a bare CR, and the period was stuffing.
      if (c == ascii::lf) {
        state_ = State::done;
        return 1;
      }
      scanner_.write(lone_cr);
      state_ = State::text;
      return 0;

    case State::text: {
      // Text goes on at once, up to and including a CR or LF: the scanner pairs CR with LF
      // itself. A bare LF is content and not the start of a line, so no terminator can
      // follow it directly; after a CR, whether a line starts depends on the next byte.
      const std::size_t break_at = input.find_first_of(line_breaks);
      if (break_at == std::string_view::npos) {
        scanner_.write(input);
        return input.size();
      }
      scanner_.write(input.substr(0, break_at + 1));
      if (input[break_at] == ascii::cr) {
        state_ = State::cr;
      }
      return break_at + 1;
    }

    case State::cr:
      // CRLF ends the line. After a bare CR the byte is text; the scanner, which has the
      // CR already, finds it bare as soon as it sees that byte.
      if (c == ascii::lf) {
        scanner_.write(lone_lf);
        state_ = State::line_start;
        return 1;
      }
      state_ = State::text;
      return 0;

    case State::done:
      break;
  }
  assert(false && "no step after the terminator");
  return input.size();
}

}  // namespace gateway::smtp
