#include "gateway/inspection/quarantine_copy.hpp"

#include <algorithm>
#include <utility>

#include "gateway/smtp/ascii.hpp"
#include "gateway/smtp/message_fields.hpp"

namespace gateway::inspection {
namespace {

using smtp::ascii::crlf;
// A note line longer than this is cut, so that none passes the 998 octets of RFC 5322
// 2.1.1; only a file outcome with a very long name comes near it.
constexpr std::size_t note_line_octets_max = 900;

void append_line(std::string& out, std::string_view line) {
  out += line.substr(0, note_line_octets_max);
  out += crlf;
}

struct OriginalScan {
  bool contains_boundary = false;
  bool eight_bit = false;
};

// Reads the original once from its start: whether `boundary` occurs in it, also across
// the seam of two chunks (the scan stops there), and whether it holds 8-bit bytes.
runtime::Result<OriginalScan> scan_original(SpoolReader& original, std::string_view boundary) {
  original.rewind();
  OriginalScan scan;
  const std::size_t keep = boundary.size() - 1;
  std::string tail;  // the last `keep` bytes read so far
  for (;;) {
    auto chunk = original.next_chunk();
    if (!chunk) {
      return chunk.error();
    }
    if (chunk->empty()) {
      return scan;
    }
    scan.eight_bit = scan.eight_bit || smtp::ascii::has_eight_bit(*chunk);
    std::string seam = tail;
    seam += chunk->substr(0, keep);
    if (seam.find(boundary) != std::string::npos ||
        chunk->find(boundary) != std::string_view::npos) {
      scan.contains_boundary = true;
      return scan;
    }
    if (chunk->size() >= keep) {
      tail.assign(chunk->substr(chunk->size() - keep));
    } else {
      tail = seam.substr(seam.size() - std::min(seam.size(), keep));
    }
  }
}

struct Layout {
  std::string boundary;
  bool eight_bit = false;
};

// A boundary the original does not contain, and whether the copy carries 8-bit bytes.
// Real hosts draw from entropy, so only an original written against a known seed can
// contain every draw; that copy fails rather than go out ambiguous.
runtime::Result<Layout> choose_layout(SpoolReader& original, runtime::Random& random) {
  for (std::size_t draw = 0; draw < smtp::boundary_draws_max; ++draw) {
    Layout layout{.boundary = smtp::draw_mime_boundary(random)};
    auto scan = scan_original(original, layout.boundary);
    if (!scan) {
      return scan.error();
    }
    if (!scan->contains_boundary) {
      layout.eight_bit = scan->eight_bit;
      return layout;
    }
  }
  return boost::system::errc::make_error_code(boost::system::errc::resource_unavailable_try_again);
}

// The copy's header, its note, and the headers of the part that holds the original.
std::string copy_head(const QuarantineNote& note, const Layout& layout,
                      std::string_view message_id) {
  const std::string& host = note.reporting_mta;
  const Envelope& original = note.original;
  const std::string sender = "<" + original.mail_from + ">";
  std::string out;
  append_line(out, "From: Mail Gateway <MAILER-DAEMON@" + host + ">");
  append_line(out, "To: <" + note.address + ">");
  append_line(out, "Subject: Quarantined: message " + note.original_queue_id + " from " + sender);
  append_line(out, "Date: " + smtp::format_message_date(note.now));
  append_line(out, "Message-ID: " + std::string(message_id));
  // RFC 3834 5: made by a program, not in answer to anything.
  append_line(out, "Auto-Submitted: auto-generated");
  append_line(out, "MIME-Version: 1.0");
  append_line(out, "Content-Type: multipart/mixed;");
  append_line(out, "\tboundary=\"" + layout.boundary + "\"");
  append_line(out, "");
  append_line(out, "This is a MIME-encapsulated message.");
  append_line(out, "");

  // The note, for people.
  append_line(out, "--" + layout.boundary);
  append_line(out, "Content-Type: text/plain; charset=us-ascii");
  append_line(out, "Content-Description: why this copy was made");
  append_line(out, "");
  append_line(out, "This is the mail gateway at " + host + ".");
  append_line(out, "");
  append_line(out, "Inspection removed or withheld files of the message attached below.");
  append_line(out, "The attachment is the message as it arrived, before any change.");
  append_line(out, "");
  append_line(out, "Queue id:    " + note.original_queue_id);
  append_line(out, "Received:    " + smtp::format_message_date(original.received_time));
  append_line(out, "Client:      " + original.helo_name + " (" + original.client_address + ")" +
                       (original.tls ? ", over TLS " + original.tls_details : ""));
  append_line(out, "Sender:      " + sender);
  for (std::size_t index = 0; index < original.recipients.size(); ++index) {
    append_line(
        out, (index == 0 ? "Recipients:  <" : "             <") + original.recipients[index] + ">");
  }
  append_line(out, "");
  append_line(out, "Files, as the X-Threat-Emulation field gives them:");
  for (const std::string& outcome : note.file_outcomes) {
    append_line(out, "  " + outcome);
  }
  append_line(out, "");

  // The original follows these headers.
  append_line(out, "--" + layout.boundary);
  append_line(out, "Content-Type: message/rfc822");
  append_line(out, "Content-Description: the original message, as received");
  append_line(out,
              "Content-Disposition: attachment; filename=\"" + note.original_queue_id + ".eml\"");
  // RFC 2046 5.2.1: message/rfc822 takes 7bit, 8bit or binary only.
  if (layout.eight_bit) {
    append_line(out, "Content-Transfer-Encoding: 8bit");
  }
  append_line(out, "");
  return out;
}

// What ends the copy: the close delimiter, whose leading CRLF belongs to it (RFC 2046
// 5.1.1), so that the part holds the original exactly.
std::string close_delimiter(std::string_view boundary) {
  return std::string(crlf) + "--" + std::string(boundary) + "--" + std::string(crlf);
}

runtime::error_code append_original(SpoolWriter& writer, SpoolReader& original) {
  original.rewind();
  for (;;) {
    auto chunk = original.next_chunk();
    if (!chunk) {
      return chunk.error();
    }
    if (chunk->empty()) {
      break;
    }
    if (auto ec = writer.append(*chunk)) {
      return ec;
    }
  }
  return {};
}

}  // namespace

runtime::Result<QueuedMessage> spool_quarantine_copy(Spool& spool, SpoolReader& original,
                                                     const QuarantineNote& note,
                                                     runtime::Random& random) {
  // The boundary before the Message-ID, so both follow from the generator's state.
  auto layout = choose_layout(original, random);
  if (!layout) {
    return layout.error();
  }
  const std::string message_id = smtp::draw_message_id(random, note.reporting_mta);
  const std::string head = copy_head(note, *layout, message_id);
  const std::string closing = close_delimiter(layout->boundary);

  Envelope envelope;
  envelope.recipients = {note.address};
  envelope.helo_name = note.reporting_mta;
  envelope.received_time = note.now;
  envelope.body_type = layout->eight_bit ? BodyType::eight_bit_mime : BodyType::seven_bit;
  envelope.declared_size_bytes = head.size() + original.content_size_bytes() + closing.size();

  auto writer = spool.begin(envelope);
  if (!writer) {
    return writer.error();
  }
  // Ready before it exists: a crash after the commit finds it inspected.
  QueueRecord record = QueueRecord::fresh(writer->queue_id(), envelope);
  record.state = MessageState::ready;
  if (auto ec = spool.save_state(record)) {
    return ec;
  }
  auto committed = [&]() -> runtime::Result<QueuedMessage> {
    if (auto ec = writer->append(head)) {
      return ec;
    }
    if (auto ec = append_original(*writer, original)) {
      return ec;
    }
    if (auto ec = writer->append(closing)) {
      return ec;
    }
    return writer->commit();
  }();
  if (!committed) {
    // The writer's destructor removes the content; the record goes now rather than at the
    // next recovery.
    (void)spool.storage().remove(spool.state_path(record.queue_id));
    return committed.error();
  }
  committed->record = std::move(record);
  return committed;
}

}  // namespace gateway::inspection
