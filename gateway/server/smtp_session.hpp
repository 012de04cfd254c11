// One inbound SMTP session (RFC 5321), from the greeting to QUIT or the connection's end.
//
// The session reads commands as they arrive, pipelined or not (RFC 2920), and answers each
// in order. Every read has a deadline (limits.command_timeout; for DATA also
// limits.data_timeout overall); a client that misses it gets 421 4.4.2 and is closed.
// The end of DATA is answered 250 only once the message and its envelope are synced to
// the spool; in inline mode only once inspection has finished as well, and if the client
// leaves before that answer nothing stays queued. STARTTLS throws away whatever plaintext
// was pipelined after it and forgets the session's state, as RFC 3207 4.2 requires.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gateway/server/input_buffer.hpp"
#include "gateway/server/smtp_server.hpp"
#include "gateway/smtp/command.hpp"
#include "gateway/smtp/envelope.hpp"
#include "gateway/smtp/line_reader.hpp"
#include "gateway/smtp/reply.hpp"
#include "runtime/stream.hpp"

namespace gateway {

class SmtpSession {
 public:
  SmtpSession(ServerContext& context, runtime::ByteStream stream, std::string session_id);
  ~SmtpSession();

  boost::asio::awaitable<void> run();

 private:
  // What the loop does after a command.
  enum class Next { go_on, close };

  struct ReadCommand {
    FillStatus status = FillStatus::ok;
    bool too_long = false;
    std::string line;
  };

  boost::asio::awaitable<ReadCommand> read_command();
  boost::asio::awaitable<bool> send(const smtp::Reply& reply);
  boost::asio::awaitable<Next> dispatch(const smtp::Command& command);

  boost::asio::awaitable<Next> on_hello(const smtp::Command& command, bool extended);
  boost::asio::awaitable<Next> on_mail(const smtp::Command& command);
  boost::asio::awaitable<Next> on_rcpt(const smtp::Command& command);
  boost::asio::awaitable<Next> on_data();
  boost::asio::awaitable<Next> on_bdat(const smtp::Command& command);
  boost::asio::awaitable<Next> on_starttls();

  // The DATA phase after 354: reads to the terminator into the spool writer.
  struct DataOutcome;
  boost::asio::awaitable<DataOutcome> receive_data(class SpoolWriter& writer);
  // A message received whole (DATA's terminator, or BDAT LAST) and found acceptable:
  // commits it, inspects it in inline mode, queues it and answers 250. `place` is the
  // transaction's place in the queue.
  boost::asio::awaitable<Next> accept_message(SpoolWriter& writer, runtime::error_code spool_error,
                                              std::optional<QueueManager::Admission> place);
  // Reads the current BDAT chunk into the transfer, or, when `dropped_octets` is not zero,
  // reads that many octets and drops them (a refused chunk).
  boost::asio::awaitable<FillStatus> receive_chunk(std::uint64_t dropped_octets);
  // Inline mode: inspects while the client waits; false if the client left meanwhile.
  // `place` is kept until the inspected message is queued (or dropped).
  boost::asio::awaitable<bool> inspect_inline(struct QueuedMessage& message,
                                              std::optional<QueueManager::Admission> place);

  Envelope make_envelope() const;
  void reset_transaction();
  void log_summary();

  ServerContext& context_;
  runtime::ByteStream stream_;
  std::string session_id_;
  InputBuffer input_;
  smtp::LineReader lines_;
  runtime::SteadyTime started_;

  // Session state.
  std::optional<std::string> helo_name_;
  bool extended_ = false;
  bool tls_active_ = false;
  std::string tls_summary_;
  std::size_t messages_accepted_ = 0;

  // Transaction state (RFC 5321 3.3), cleared by RSET, HELO/EHLO and the end of DATA or
  // of the last BDAT chunk.
  std::optional<smtp::MailFrom> mail_from_;
  // The queue's place for this transaction's message, from MAIL on.
  std::optional<QueueManager::Admission> admission_;
  std::vector<std::string> recipients_;
  // The message being received in BDAT chunks (RFC 3030), from the first chunk to LAST.
  struct BdatTransfer;
  std::unique_ptr<BdatTransfer> bdat_;

  std::map<std::string, std::uint64_t> command_counts_;  // by verb, for the summary
  std::string end_reason_ = "quit";
};

}  // namespace gateway
