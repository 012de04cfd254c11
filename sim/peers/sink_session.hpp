// One connection to the simulated mail server: the SMTP server side of RFC 5321 as far as
// a next hop for the gateway needs it (EHLO, HELO, STARTTLS, MAIL, RCPT, DATA, RSET,
// NOOP, QUIT), with the script consulted at every reply.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gateway/smtp/reply.hpp"
#include "runtime/host.hpp"
#include "runtime/stream.hpp"
#include "sim/peers/peer_line_reader.hpp"
#include "sim/peers/sink_record.hpp"
#include "sim/peers/sink_script.hpp"

namespace peers {

struct SmtpSinkOptions;

class SinkSession {
 public:
  // Everything passed must outlive the session.
  SinkSession(runtime::Host& host, const SmtpSinkOptions& options, SinkScript& script,
              SinkRecord& record, runtime::ByteStream stream);

  // Serves the connection until QUIT, a drop, the peer leaving or the idle timeout.
  boost::asio::awaitable<void> run();

 private:
  // Whether the session goes on after a command.
  using Continue = bool;

  boost::asio::awaitable<Continue> dispatch(const std::string& line);
  boost::asio::awaitable<Continue> on_ehlo(bool extended, std::string_view name);
  boost::asio::awaitable<Continue> on_starttls();
  boost::asio::awaitable<Continue> on_mail(std::string_view argument);
  boost::asio::awaitable<Continue> on_rcpt(std::string_view argument);
  boost::asio::awaitable<Continue> on_data();
  boost::asio::awaitable<Continue> receive_content();

  // Waits and replies as the script says for `stage`, `usual` when it says nothing.
  // Returns the reply sent; nothing when the connection was dropped or broke.
  boost::asio::awaitable<std::optional<gateway::smtp::Reply>> respond(
      SinkStage stage, gateway::smtp::Reply usual, std::string_view recipient = {},
      std::string_view extra = {});
  // Sends a reply that no script touches.
  boost::asio::awaitable<Continue> answer(gateway::smtp::Reply reply);
  boost::asio::awaitable<bool> send(std::string_view bytes);
  boost::asio::awaitable<void> pause(runtime::Duration delay);

  gateway::smtp::Reply ehlo_reply() const;
  void reset_transaction();
  // Records the command being answered, unless `stage` is the greeting.
  void note(SinkStage stage, int reply_code);
  bool secure() const;

  runtime::Host& host_;
  const SmtpSinkOptions& options_;
  SinkScript& script_;
  SinkRecord& record_;
  runtime::ByteStream stream_;
  PeerLineReader reader_;

  // The conversation so far.
  std::string command_line_;  // the command being answered
  std::optional<std::string> helo_name_;
  std::optional<SinkMessage> transaction_;  // between MAIL and the end of DATA
};

}  // namespace peers
