// What the simulated mail server saw, kept apart from the server object so that a test
// (or a scenario's expectations) can read it after the server's node crashed or the
// world stopped: every message it accepted, every command with the reply it got.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/time.hpp"

namespace peers {

struct SinkMessage {
  std::string mail_from;                // the reverse-path without brackets; empty for <>
  std::string mail_parameters;          // what followed the path ("SIZE=120 BODY=8BITMIME")
  std::vector<std::string> recipients;  // the accepted forward-paths, in RCPT order
  std::string content;                  // the exact bytes, dot-stuffing removed
  std::string helo_name;
  bool tls = false;                   // received under STARTTLS
  runtime::SteadyTime received_at{};  // when the final reply was sent
};

struct SinkCommand {
  std::string line;                  // the command line without CRLF
  bool tls = false;                  // received under STARTTLS
  int reply_code = 0;                // 0 when the connection was dropped instead
  runtime::SteadyTime replied_at{};  // when the reply finished going out
};

struct SinkRecord {
  std::vector<SinkMessage> messages;
  std::vector<SinkCommand> commands;
  std::size_t connections = 0;
  std::size_t tls_handshakes = 0;  // completed ones

  // The commands whose line starts with `verb` ("MAIL"), case-insensitively.
  std::vector<SinkCommand> commands_named(std::string_view verb) const;
};

}  // namespace peers
