#include "sim/peers/sink_session.hpp"

#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "gateway/smtp/address.hpp"
#include "gateway/smtp/ascii.hpp"
#include "gateway/smtp/command.hpp"
#include "runtime/tls.hpp"
#include "sim/peers/smtp_sink.hpp"

namespace peers {

namespace asio = boost::asio;
namespace smtp = gateway::smtp;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// RFC 5321 4.2.2: the reply that asks for the mail data.
constexpr int code_start_mail_input = 354;

smtp::Reply reply(int code, std::string enhanced, std::string text) {
  return smtp::Reply{code, std::move(enhanced), {std::move(text)}};
}

}  // namespace

SinkSession::SinkSession(runtime::Host& host, const SmtpSinkOptions& options, SinkScript& script,
                         SinkRecord& record, runtime::ByteStream stream)
    : host_(host),
      options_(options),
      script_(script),
      record_(record),
      stream_(std::move(stream)),
      reader_(host, options.line_octets_max) {}

asio::awaitable<void> SinkSession::run() {
  // RFC 5321 3.1: the server speaks first.
  const smtp::Reply greeting = reply(220, "", options_.hostname + " ESMTP sink");
  if (!co_await respond(SinkStage::greeting, greeting)) {
    co_return;
  }

  // Then one command after another, until one ends the session.
  for (;;) {
    PeerLine line = co_await reader_.read_line(stream_, options_.idle_timeout);
    if (line.status == LineStatus::timed_out) {
      co_await answer(reply(421, "4.4.2", options_.hostname + " idle too long"));
      co_return;
    }
    if (line.status != LineStatus::line) {
      co_return;
    }
    command_line_ = std::move(line.text);
    if (!co_await dispatch(command_line_)) {
      co_return;
    }
  }
}

asio::awaitable<SinkSession::Continue> SinkSession::dispatch(const std::string& line) {
  smtp::CommandLimits limits;
  limits.line_octets_max = options_.line_octets_max;
  const smtp::CommandParse parsed = smtp::parse_command(line, limits);
  if (!parsed.ok()) {
    co_return co_await answer(*parsed.refusal);
  }

  const smtp::Command& command = parsed.command;
  switch (command.verb) {
    case smtp::Verb::ehlo:
      co_return co_await on_ehlo(true, command.argument);
    case smtp::Verb::helo:
      co_return co_await on_ehlo(false, command.argument);
    case smtp::Verb::starttls:
      co_return co_await on_starttls();
    case smtp::Verb::mail:
      co_return co_await on_mail(command.argument);
    case smtp::Verb::rcpt:
      co_return co_await on_rcpt(command.argument);
    case smtp::Verb::data:
      co_return co_await on_data();
    case smtp::Verb::rset:
      reset_transaction();
      co_return co_await answer(reply(250, "2.0.0", "reset"));
    case smtp::Verb::noop:
      co_return co_await answer(reply(250, "2.0.0", "ok"));
    case smtp::Verb::quit: {
      const smtp::Reply bye = reply(221, "2.0.0", options_.hostname + " closing");
      co_await respond(SinkStage::quit, bye);
      co_return false;
    }
    default:
      co_return co_await answer(reply(502, "5.5.1", "not implemented"));
  }
}

asio::awaitable<SinkSession::Continue> SinkSession::on_ehlo(bool extended, std::string_view name) {
  // RFC 5321 4.1.4: a greeting also resets any transaction under way.
  reset_transaction();
  const smtp::Reply usual = extended ? ehlo_reply() : reply(250, "", options_.hostname + " hello");
  auto sent = co_await respond(SinkStage::ehlo, usual);
  if (!sent) {
    co_return false;
  }
  if (sent->is_completion()) {
    helo_name_ = std::string(name);
  }
  co_return true;
}

asio::awaitable<SinkSession::Continue> SinkSession::on_starttls() {
  // RFC 3207 4: without a certificate, or inside TLS already, there is nothing to start.
  if (!options_.tls || secure()) {
    co_return co_await answer(reply(454, "4.7.0", "TLS not available"));
  }
  const smtp::Reply ready = reply(220, "2.0.0", "ready to start TLS");
  const std::string_view any_recipient;
  auto sent =
      co_await respond(SinkStage::starttls, ready, any_recipient, options_.after_starttls_reply);
  if (!sent) {
    co_return false;
  }
  if (sent->code != ready.code) {
    co_return true;
  }

  // The script may break the handshake by hanging up instead.
  const SinkAction action = script_.next(SinkStage::tls_handshake);
  co_await pause(action.delay);
  if (action.drop) {
    stream_.close();
    co_return false;
  }
  runtime::Timer timer(host_);
  timer.expires_after(options_.idle_timeout);
  auto outcome =
      co_await (runtime::async_tls_handshake(host_, std::move(stream_), *options_.tls,
                                             runtime::TlsRole::server, "", as_tuple_awaitable) ||
                timer.async_wait(as_tuple_awaitable));
  if (outcome.index() == 1) {
    co_return false;
  }
  auto [ec, secured] = std::move(std::get<0>(outcome));
  if (ec) {
    co_return false;
  }
  stream_ = std::move(secured);
  ++record_.tls_handshakes;

  // RFC 3207 4.2: the session starts over, and nothing read before the handshake counts.
  reader_.discard();
  helo_name_.reset();
  reset_transaction();
  co_return true;
}

asio::awaitable<SinkSession::Continue> SinkSession::on_mail(std::string_view argument) {
  // The usual reply, which the script may replace whatever it is.
  const smtp::PathParse path = smtp::parse_path(argument, smtp::PathRole::reverse);
  const bool valid = path.fault == smtp::PathFault::none;
  const bool in_sequence = helo_name_ && !transaction_;
  const smtp::Reply usual = !in_sequence ? reply(503, "5.5.1", "bad sequence of commands")
                            : !valid     ? reply(501, "5.1.7", "bad sender address")
                                         : reply(250, "2.1.0", "sender ok");

  auto sent = co_await respond(SinkStage::mail, usual);
  if (!sent) {
    co_return false;
  }
  if (sent->is_completion() && in_sequence && valid) {
    transaction_.emplace();
    transaction_->mail_from = path.path.null ? std::string() : path.path.mailbox.address();
    transaction_->mail_parameters =
        std::string(smtp::ascii::trim_wsp(argument.substr(path.consumed_octets)));
  }
  co_return true;
}

asio::awaitable<SinkSession::Continue> SinkSession::on_rcpt(std::string_view argument) {
  const smtp::PathParse path = smtp::parse_path(argument, smtp::PathRole::forward);
  const bool valid = path.fault == smtp::PathFault::none;
  const std::string address = valid ? path.path.mailbox.address() : std::string();
  const smtp::Reply usual = !transaction_ ? reply(503, "5.5.1", "need MAIL first")
                            : !valid      ? reply(501, "5.1.3", "bad recipient address")
                                          : reply(250, "2.1.5", "recipient ok");

  auto sent = co_await respond(SinkStage::rcpt, usual, address);
  if (!sent) {
    co_return false;
  }
  if (sent->is_completion() && transaction_ && valid) {
    transaction_->recipients.push_back(address);
  }
  co_return true;
}

asio::awaitable<SinkSession::Continue> SinkSession::on_data() {
  // RFC 5321 3.3 and RFC 2920 3.1: DATA without a sender or an accepted recipient fails.
  const bool ready = transaction_ && !transaction_->recipients.empty();
  const smtp::Reply usual = !transaction_ ? reply(503, "5.5.1", "need MAIL first")
                            : !ready
                                ? reply(554, "5.5.1", "no valid recipients")
                                : reply(code_start_mail_input, "", "end data with <CRLF>.<CRLF>");

  auto sent = co_await respond(SinkStage::data, usual);
  if (!sent) {
    co_return false;
  }
  if (sent->code != code_start_mail_input) {
    reset_transaction();
    co_return true;
  }
  co_return co_await receive_content();
}

asio::awaitable<SinkSession::Continue> SinkSession::receive_content() {
  // RFC 5321 4.5.2: a line of "." ends the data; a leading "." of any other line goes.
  std::string content;
  for (;;) {
    PeerLine line = co_await reader_.read_line(stream_, options_.idle_timeout);
    if (line.status != LineStatus::line) {
      co_return false;
    }
    if (line.text == ".") {
      break;
    }
    const std::size_t skip = line.text.starts_with('.') ? 1 : 0;
    content.append(line.text, skip, std::string::npos);
    content += "\r\n";
  }

  // The final reply; only a 2xx keeps the message.
  command_line_ = ".";
  const std::string queued = "queued as " + std::to_string(record_.messages.size() + 1);
  auto sent = co_await respond(SinkStage::dot, reply(250, "2.0.0", queued));
  // A 354 the script forced without a transaction takes the data and keeps nothing.
  if (sent && sent->is_completion() && transaction_) {
    SinkMessage message = std::move(*transaction_);
    message.content = std::move(content);
    message.helo_name = helo_name_.value_or("");
    message.tls = secure();
    message.received_at = host_.clock().now();
    record_.messages.push_back(std::move(message));
  }
  reset_transaction();
  co_return sent.has_value();
}

asio::awaitable<std::optional<smtp::Reply>> SinkSession::respond(SinkStage stage, smtp::Reply usual,
                                                                 std::string_view recipient,
                                                                 std::string_view extra) {
  const SinkAction action = script_.next(stage, recipient);
  co_await pause(action.delay);
  if (action.drop) {
    note(stage, 0);
    stream_.close();
    co_return std::nullopt;
  }

  smtp::Reply chosen = action.reply.value_or(std::move(usual));
  std::string bytes = smtp::to_wire(chosen);
  bytes += extra;
  if (!co_await send(bytes)) {
    co_return std::nullopt;
  }
  note(stage, chosen.code);
  co_return chosen;
}

asio::awaitable<SinkSession::Continue> SinkSession::answer(smtp::Reply plain) {
  const std::string bytes = smtp::to_wire(plain);
  const bool sent = co_await send(bytes);
  if (sent) {
    note(SinkStage::mail, plain.code);
  }
  co_return sent;
}

asio::awaitable<bool> SinkSession::send(std::string_view bytes) {
  runtime::error_code ec;
  co_await asio::async_write(stream_, asio::buffer(bytes),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

asio::awaitable<void> SinkSession::pause(runtime::Duration delay) {
  if (delay <= runtime::Duration::zero()) {
    co_return;
  }
  runtime::Timer timer(host_);
  timer.expires_after(delay);
  runtime::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

smtp::Reply SinkSession::ehlo_reply() const {
  smtp::Reply ehlo{250, "", {options_.hostname + " hello"}};
  if (options_.pipelining) {
    ehlo.lines.emplace_back("PIPELINING");
  }
  if (options_.eight_bit_mime) {
    ehlo.lines.emplace_back("8BITMIME");
  }
  if (options_.size_max_bytes) {
    ehlo.lines.push_back("SIZE " + std::to_string(*options_.size_max_bytes));
  }
  // RFC 3207 4.2: STARTTLS is not announced once TLS is running.
  if (options_.tls && !secure()) {
    ehlo.lines.emplace_back("STARTTLS");
  }
  ehlo.lines.emplace_back("ENHANCEDSTATUSCODES");
  return ehlo;
}

void SinkSession::reset_transaction() {
  transaction_.reset();
}

void SinkSession::note(SinkStage stage, int reply_code) {
  // The greeting answers no command.
  if (stage == SinkStage::greeting) {
    return;
  }
  record_.commands.push_back(SinkCommand{command_line_, secure(), reply_code, host_.clock().now()});
}

bool SinkSession::secure() const {
  return stream_.is_open() && stream_.is_tls();
}

}  // namespace peers
