#include "gateway/smtp/content_scanner.hpp"

#include <algorithm>
#include <utility>

#include "gateway/smtp/ascii.hpp"
#include "gateway/smtp/replies.hpp"

namespace gateway::smtp {
namespace {

// Matched case-insensitively against the start of each header field (RFC 5322 1.2.2).
constexpr std::string_view received_field_name = "received";
constexpr std::string_view line_breaks = "\r\n";

}  // namespace

std::string_view fault_name(ContentFault fault) {
  switch (fault) {
    case ContentFault::none:
      return "none";
    case ContentFault::bare_line_ending:
      return "bare_line_ending";
    case ContentFault::line_too_long:
      return "line_too_long";
    case ContentFault::message_too_big:
      return "message_too_big";
    case ContentFault::too_many_header_fields:
      return "too_many_header_fields";
    case ContentFault::header_too_big:
      return "header_too_big";
    case ContentFault::mail_loop:
      return "mail_loop";
  }
  return "unknown";
}

std::optional<Reply> content_refusal(ContentFault fault) {
  switch (fault) {
    case ContentFault::none:
      return std::nullopt;
    case ContentFault::bare_line_ending:
      return replies::bare_line_ending();
    case ContentFault::line_too_long:
      return replies::message_line_too_long();
    case ContentFault::message_too_big:
      return replies::message_too_big();
    case ContentFault::too_many_header_fields:
    case ContentFault::header_too_big:
      return replies::header_too_big();
    case ContentFault::mail_loop:
      return replies::mail_loop();
  }
  return std::nullopt;
}

ContentScanner::ContentScanner(const ContentLimits& limits, ContentSink sink)
    : limits_(limits), sink_(std::move(sink)) {
  out_.reserve(content_chunk_octets);
}

void ContentScanner::write(std::string_view content) {
  while (!content.empty()) {
    // A CR from the previous byte is resolved by this one: with LF it ends the line.
    if (cr_pending_) {
      cr_pending_ = false;
      if (content.front() == ascii::lf) {
        content.remove_prefix(1);
        end_line();
      } else {
        add_bare_line_ending(ascii::cr);
      }
      continue;
    }

    // A CR waits for the next byte; an LF on its own is bare.
    const char c = content.front();
    if (c == ascii::cr || c == ascii::lf) {
      content.remove_prefix(1);
      if (c == ascii::cr) {
        cr_pending_ = true;
      } else {
        add_bare_line_ending(ascii::lf);
      }
      continue;
    }

    // Everything up to the next CR or LF is text of the current line.
    const std::size_t run_octets = std::min(content.find_first_of(line_breaks), content.size());
    add_text(content.substr(0, run_octets));
    content.remove_prefix(run_octets);
  }
}

void ContentScanner::finish() {
  if (cr_pending_) {
    cr_pending_ = false;
    add_bare_line_ending(ascii::cr);
  }
  if (line_octets_ > 0) {
    end_line();
  }
  flush();
}

void ContentScanner::flush() {
  if (!out_.empty() && sink_) {
    sink_(out_);
  }
  out_.clear();
}

void ContentScanner::add_text(std::string_view run) {
  // The common case: a run that crosses no bound and starts no header field is counted and
  // copied whole. The result is the same as byte by byte, only faster.
  if (can_take_in_bulk(run.size())) {
    line_octets_ += run.size();
    content_octets_ += run.size();
    if (in_header_) {
      header_octets_ += run.size();
    }
    saw_eight_bit_ = saw_eight_bit_ || std::any_of(run.begin(), run.end(), ascii::is_eight_bit);
    emit(run);
    return;
  }
  for (char c : run) {
    add_text_byte(c);
  }
}

bool ContentScanner::can_take_in_bulk(std::size_t octets) const {
  const bool field_work = in_header_ && (line_octets_ == 0 || matching_name_);
  return !field_work && line_octets_ + octets <= limits_.line_octets_max &&
         content_octets_ + octets <= limits_.message_octets_max &&
         (!in_header_ || header_octets_ + octets <= limits_.header_octets_max);
}

void ContentScanner::add_text_byte(char c) {
  // The first byte of a header line decides whether a new field starts.
  if (in_header_ && line_octets_ == 0) {
    start_header_line(c);
  }
  if (matching_name_) {
    match_field_name(c);
  }

  // Count it, check the bounds, and pass it on unless the message is already refused.
  ++line_octets_;
  ++content_octets_;
  if (in_header_) {
    ++header_octets_;
  }
  saw_eight_bit_ = saw_eight_bit_ || ascii::is_eight_bit(c);
  check_bounds();
  emit(std::string_view(&c, 1));
}

void ContentScanner::add_bare_line_ending(char c) {
  // RFC 5321 2.3.8: CR and LF only appear together as CRLF. The byte stays part of the line.
  fail(ContentFault::bare_line_ending);
  add_text_byte(c);
}

void ContentScanner::end_line() {
  // RFC 5322 2.1: the first empty line separates the header section from the body; it
  // belongs to neither's count of header octets.
  if (in_header_ && line_octets_ == 0) {
    in_header_ = false;
  } else if (in_header_) {
    header_octets_ += ascii::crlf.size();
  }
  content_octets_ += ascii::crlf.size();
  line_octets_ = 0;
  matching_name_ = false;
  check_bounds();
  emit(ascii::crlf);
}

void ContentScanner::start_header_line(char c) {
  // RFC 5322 2.2.3: a line starting with white space folds the previous field.
  if (ascii::is_wsp(c)) {
    return;
  }
  ++header_fields_;
  if (header_fields_ > limits_.header_fields_max) {
    fail(ContentFault::too_many_header_fields);
  }
  matching_name_ = true;
  name_matched_octets_ = 0;
}

void ContentScanner::match_field_name(char c) {
  // Compare the field name with "Received", case-insensitively.
  if (name_matched_octets_ < received_field_name.size()) {
    if (ascii::to_lower(c) == received_field_name[name_matched_octets_]) {
      ++name_matched_octets_;
    } else {
      matching_name_ = false;
    }
    return;
  }

  // RFC 5322 4.5 (obsolete syntax) allows white space between the name and its colon.
  if (ascii::is_wsp(c)) {
    return;
  }
  matching_name_ = false;
  if (c != ':') {
    return;
  }
  ++received_fields_;
  if (received_fields_ > limits_.received_fields_max) {
    fail(ContentFault::mail_loop);
  }
}

void ContentScanner::check_bounds() {
  if (content_octets_ > limits_.message_octets_max) {
    fail(ContentFault::message_too_big);
  }
  if (header_octets_ > limits_.header_octets_max) {
    fail(ContentFault::header_too_big);
  }
  if (line_octets_ > limits_.line_octets_max) {
    fail(ContentFault::line_too_long);
  }
}

void ContentScanner::fail(ContentFault fault) {
  // The first fault decides the reply.
  if (fault_ == ContentFault::none) {
    fault_ = fault;
  }
}

void ContentScanner::emit(std::string_view text) {
  if (fault_ != ContentFault::none) {
    return;
  }

  // Fill the buffer up to one chunk at a time, handing each full chunk on.
  while (!text.empty()) {
    const std::size_t room = content_chunk_octets - out_.size();
    const std::size_t take = std::min(room, text.size());
    out_.append(text.substr(0, take));
    text.remove_prefix(take);
    if (out_.size() == content_chunk_octets) {
      flush();
    }
  }
}

}  // namespace gateway::smtp
