#include "gateway/smtp/replies.hpp"

#include <string>
#include <utility>

namespace gateway::smtp::replies {
namespace {

Reply make(int code, std::string enhanced, std::string text) {
  return Reply{code, std::move(enhanced), {std::move(text)}};
}

std::string with_host(std::string_view hostname, std::string_view text) {
  std::string line(hostname);
  line += ' ';
  line += text;
  return line;
}

}  // namespace

Reply service_ready(std::string_view hostname) {
  return make(220, "", with_host(hostname, "ESMTP service ready"));
}

Reply closing(std::string_view hostname) {
  return make(221, "2.0.0", with_host(hostname, "closing connection"));
}

Reply ok() {
  return make(250, "2.0.0", "OK");
}

Reply helo_ok(std::string_view hostname) {
  return make(250, "", std::string(hostname));
}

Reply sender_ok() {
  return make(250, "2.1.0", "Sender OK");
}

Reply recipient_ok() {
  return make(250, "2.1.5", "Recipient OK");
}

Reply message_queued(std::string_view queue_id) {
  return make(250, "2.0.0", "OK queued as " + std::string(queue_id));
}

Reply chunk_received(std::uint64_t chunk_octets) {
  return make(250, "2.0.0", std::to_string(chunk_octets) + " octets received");
}

Reply help() {
  return make(214, "2.0.0",
              "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS");
}

// RFC 5321 3.5.3: a server that does not verify addresses answers VRFY with 252.
Reply cannot_verify() {
  return make(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery");
}

Reply start_mail_input() {
  return make(354, "", "End data with <CR><LF>.<CR><LF>");
}

Reply ready_to_start_tls() {
  return make(220, "2.0.0", "Ready to start TLS");
}

Reply too_many_connections(std::string_view hostname) {
  return make(421, "4.3.2", with_host(hostname, "Too many connections, try again later"));
}

Reply timeout(std::string_view hostname) {
  return make(421, "4.4.2", with_host(hostname, "Timeout exceeded, closing connection"));
}

Reply too_slow(std::string_view hostname) {
  return make(421, "4.4.2",
              with_host(hostname, "Data rate below the minimum, closing connection"));
}

Reply shutting_down(std::string_view hostname) {
  return make(421, "4.3.2", with_host(hostname, "Service shutting down, closing connection"));
}

Reply tls_not_available() {
  return make(454, "4.7.0", "TLS not available, try again later");
}

Reply local_error() {
  return make(451, "4.3.0", "Local error in processing, try again later");
}

Reply queue_full() {
  return make(452, "4.3.1", "Insufficient system storage, try again later");
}

Reply too_many_recipients() {
  return make(452, "4.5.3", "Too many recipients");
}

Reply command_unrecognized() {
  return make(500, "5.5.2", "Syntax error, command unrecognized");
}

Reply line_too_long() {
  return make(500, "5.5.2", "Line too long");
}

Reply nul_in_command() {
  return make(500, "5.5.2", "NUL byte in command");
}

Reply bare_line_ending_in_command() {
  return make(500, "5.5.2", "Bare CR or LF in command; lines end with CRLF");
}

Reply bad_arguments(std::string_view detail) {
  return make(501, "5.5.4", "Syntax error in parameters or arguments: " + std::string(detail));
}

Reply bad_sender_address() {
  return make(501, "5.1.7", "Bad sender address syntax");
}

Reply bad_recipient_address() {
  return make(501, "5.1.3", "Bad recipient address syntax");
}

Reply sender_path_too_long() {
  return make(501, "5.1.7", "Sender path too long");
}

Reply recipient_path_too_long() {
  return make(501, "5.1.3", "Recipient path too long");
}

Reply non_ascii_address() {
  return make(553, "5.6.7", "Non-ASCII addresses need SMTPUTF8, which is not offered");
}

Reply not_implemented() {
  return make(502, "5.5.1", "Command not implemented");
}

Reply bad_sequence() {
  return make(503, "5.5.1", "Bad sequence of commands");
}

Reply parameter_not_implemented() {
  return make(504, "5.5.4", "Command parameter not implemented");
}

Reply parameter_unrecognized() {
  return make(555, "5.5.4", "MAIL FROM or RCPT TO parameter not recognized or not implemented");
}

Reply must_issue_starttls() {
  return make(530, "5.7.0", "Must issue a STARTTLS command first");
}

Reply relay_denied() {
  return make(550, "5.7.1", "Relay access denied");
}

Reply no_valid_recipients() {
  return make(554, "5.5.1", "No valid recipients");
}

Reply message_too_big() {
  return make(552, "5.3.4", "Message size exceeds fixed limit");
}

Reply header_too_big() {
  return make(552, "5.3.4", "Message header exceeds fixed limit");
}

Reply message_line_too_long() {
  return make(552, "5.3.4", "Message line exceeds fixed length limit");
}

Reply mail_loop() {
  return make(554, "5.4.6", "Too many Received header fields, mail loop");
}

Reply bare_line_ending() {
  return make(554, "5.6.0", "Bare CR or LF in message content; lines end with CRLF");
}

}  // namespace gateway::smtp::replies
