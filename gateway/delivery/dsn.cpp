#include "gateway/delivery/dsn.hpp"

#include <algorithm>
#include <array>
#include <cassert>

#include "gateway/smtp/ascii.hpp"
#include "gateway/smtp/message_fields.hpp"
#include "gateway/smtp/reply.hpp"

namespace gateway {
namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::size_t reply_code_digits = 3;

// A diagnostic longer than this is cut, so that no field line passes the 998 octets of
// RFC 5322 2.1.1 with its name in front.
constexpr std::size_t diagnostic_octets_max = 900;

// Text from a next hop goes into header fields: anything outside printable US-ASCII
// becomes '?', so it can neither end a line nor carry 8-bit bytes.
std::string printable(std::string_view text, std::size_t octets_max) {
  std::string out;
  for (char c : text.substr(0, octets_max)) {
    out += (smtp::ascii::is_visible(c) || c == ' ') ? c : '?';
  }
  return out;
}

bool starts_with_reply_code(std::string_view reply) {
  return reply.size() >= reply_code_digits && smtp::ascii::is_digit(reply[0]) &&
         smtp::ascii::is_digit(reply[1]) && smtp::ascii::is_digit(reply[2]) &&
         (reply.size() == reply_code_digits || reply[reply_code_digits] == ' ');
}

std::string_view first_word(std::string_view text) {
  return text.substr(0, text.find(' '));
}

// A boundary that the returned header section does not contain (RFC 2046 5.1.1).
std::string draw_boundary(runtime::Random& random, std::string_view headers) {
  std::string boundary;
  for (std::size_t draw = 0; draw < smtp::boundary_draws_max; ++draw) {
    boundary = smtp::draw_mime_boundary(random);
    if (headers.find(boundary) == std::string_view::npos) {
      break;
    }
  }
  return boundary;
}

void append_line(std::string& out, std::string_view line) {
  out += line;
  out += crlf;
}

// The message's own header section.
void append_header(std::string& out, const DsnRequest& request, std::string_view boundary,
                   std::string_view message_id) {
  const std::string& host = request.reporting_mta;
  append_line(out, "From: Mail Delivery System <MAILER-DAEMON@" + host + ">");
  append_line(out, "To: <" + request.original.mail_from + ">");
  append_line(out, "Subject: Undelivered Mail Returned to Sender");
  append_line(out, "Date: " + smtp::format_message_date(request.now));
  append_line(out, "Message-ID: " + std::string(message_id));
  // RFC 3834 5: marks the message as automatic, so that responders do not answer it.
  append_line(out, "Auto-Submitted: auto-replied");
  append_line(out, "MIME-Version: 1.0");
  append_line(out, "Content-Type: multipart/report; report-type=delivery-status;");
  append_line(out, "\tboundary=\"" + std::string(boundary) + "\"");
  append_line(out, "");
  append_line(out, "This is a MIME-encapsulated message.");
}

// The first part: the same news for people.
void append_notice(std::string& out, const DsnRequest& request) {
  append_line(out, "Content-Type: text/plain; charset=us-ascii");
  append_line(out, "");
  append_line(out, "This is the mail gateway at " + request.reporting_mta + ".");
  append_line(out, "");
  append_line(out, "Your message (queue id " + request.original_queue_id +
                       ") could not be delivered to the recipients below.");
  append_line(out, "");
  for (const BouncedRecipient& recipient : request.recipients) {
    append_line(
        out, "<" + recipient.address + ">: " + printable(recipient.reply, diagnostic_octets_max));
  }
}

// The second part: RFC 3464 2.2 per-message fields, then 2.3 fields per recipient.
void append_status(std::string& out, const DsnRequest& request) {
  append_line(out, "Content-Type: message/delivery-status");
  append_line(out, "");
  append_line(out, "Reporting-MTA: dns; " + request.reporting_mta);
  append_line(out, "Arrival-Date: " + smtp::format_message_date(request.original.received_time));
  for (const BouncedRecipient& recipient : request.recipients) {
    append_line(out, "");
    append_line(out, "Final-Recipient: rfc822; " + recipient.address);
    append_line(out, "Action: failed");
    append_line(out, "Status: " + dsn_status(recipient.reply));
    // RFC 3464 2.3.6: the diagnostic type "smtp" is for replies a next hop sent.
    if (starts_with_reply_code(recipient.reply)) {
      append_line(out,
                  "Diagnostic-Code: smtp; " + printable(recipient.reply, diagnostic_octets_max));
    }
  }
}

}  // namespace

std::string dsn_status(std::string_view reply) {
  // "550 5.1.1 text": the enhanced code after the reply code, when of the same class.
  if (starts_with_reply_code(reply)) {
    const std::string_view after = reply.substr(std::min(reply.size(), reply_code_digits + 1));
    const std::string_view candidate = first_word(after);
    if (smtp::is_enhanced_status_code(candidate) && candidate[0] == reply[0]) {
      return std::string(candidate);
    }
    if (reply[0] == '4' || reply[0] == '5') {
      return std::string(1, reply[0]) + ".0.0";
    }
    return "5.0.0";
  }

  // "4.4.1 connect with ...": a local failure leads with its code.
  const std::string_view candidate = first_word(reply);
  if (smtp::is_enhanced_status_code(candidate)) {
    return std::string(candidate);
  }
  return "5.0.0";
}

std::optional<Dsn> build_dsn(const DsnRequest& request, runtime::Random& random) {
  assert(!request.recipients.empty());
  if (request.original.null_sender()) {
    return std::nullopt;
  }

  // Draw the boundary before the Message-ID, so both follow from the generator's state.
  const std::string boundary = draw_boundary(random, request.original_headers);
  const std::string message_id = smtp::draw_message_id(random, request.reporting_mta);

  // The header, then the three parts of the report (RFC 6522 3).
  Dsn dsn;
  std::string& out = dsn.content;
  const std::string delimiter = "--" + boundary;
  append_header(out, request, boundary, message_id);
  append_line(out, "");
  append_line(out, delimiter);
  append_notice(out, request);
  append_line(out, "");
  append_line(out, delimiter);
  append_status(out, request);
  append_line(out, "");
  append_line(out, delimiter);
  append_line(out, "Content-Type: text/rfc822-headers");
  append_line(out, "");
  out += request.original_headers;
  append_line(out, "");
  append_line(out, delimiter + "--");

  // The envelope: from the null reverse-path, so that it never bounces in turn.
  dsn.envelope.mail_from.clear();
  dsn.envelope.recipients = {request.original.mail_from};
  dsn.envelope.helo_name = request.reporting_mta;
  dsn.envelope.received_time = request.now;
  dsn.envelope.body_type =
      smtp::ascii::has_eight_bit(dsn.content) ? BodyType::eight_bit_mime : BodyType::seven_bit;
  dsn.envelope.declared_size_bytes = dsn.content.size();
  return dsn;
}

runtime::Result<std::string> read_header_section(SpoolReader& content) {
  constexpr std::string_view end_of_header = "\r\n\r\n";
  std::string text;
  std::array<char, 4096> buffer{};

  // Read until the empty line, the end of the content, or the bound.
  std::uint64_t offset = 0;
  while (text.size() <= returned_header_octets_max) {
    auto read = content.read_at(offset, buffer);
    if (!read) {
      return read.error();
    }
    if (*read == 0) {
      break;
    }
    const std::size_t searched_from = text.size() < 3 ? 0 : text.size() - 3;
    text.append(buffer.data(), *read);
    offset += *read;

    // Content that starts with the empty line has no header section at all.
    if (text.starts_with(crlf)) {
      return std::string();
    }
    const std::size_t end = text.find(end_of_header, searched_from);
    if (end != std::string::npos) {
      text.resize(end + crlf.size());
      break;
    }
  }

  // Whole lines only, within the bound.
  if (text.size() > returned_header_octets_max) {
    text.resize(returned_header_octets_max);
  }
  const std::size_t last_line_end = text.rfind(crlf);
  text.resize(last_line_end == std::string::npos ? 0 : last_line_end + crlf.size());
  return text;
}

}  // namespace gateway
