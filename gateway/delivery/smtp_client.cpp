#include "gateway/delivery/smtp_client.hpp"

#include <cassert>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "gateway/delivery/client_connection.hpp"
#include "gateway/delivery/dot_stuffer.hpp"
#include "gateway/delivery/server_extensions.hpp"

namespace gateway {

namespace asio = boost::asio;

namespace {

// RFC 5321 3.1, 4.2.2: the codes that move a session on.
constexpr int code_service_ready = 220;
constexpr int code_ok = 250;
constexpr int code_start_mail_input = 354;

// Nothing while the session goes on; the failure that ends it otherwise.
using Step = std::optional<SessionFailure>;

std::string timeout_detail(runtime::Duration timeout) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  return "timed out after " + std::to_string(ms) + " ms";
}

SessionFailure failure(DeliveryStage stage, FailureKind kind, std::string detail) {
  SessionFailure made;
  made.stage = stage;
  made.kind = kind;
  made.detail = std::move(detail);
  return made;
}

// The failure behind a wait that did not end with a reply or a completed write.
SessionFailure wait_failure(DeliveryStage stage, const WaitOutcome& wait,
                            runtime::Duration timeout) {
  switch (wait.status) {
    case WaitStatus::timed_out:
      return failure(stage, FailureKind::timeout, timeout_detail(timeout));
    case WaitStatus::malformed:
      return failure(stage, FailureKind::protocol, "malformed reply: " + wait.detail);
    case WaitStatus::closed:
    case WaitStatus::ok:
      break;
  }
  return failure(stage, FailureKind::connection, wait.error.message());
}

SessionFailure refusal(DeliveryStage stage, const smtp::Reply& reply) {
  SessionFailure made = failure(stage, FailureKind::reply, {});
  made.reply = reply;
  return made;
}

SessionFailure unexpected(DeliveryStage stage, const smtp::Reply& reply) {
  return failure(stage, FailureKind::protocol, "unexpected reply " + std::to_string(reply.code));
}

// Whether the connection is still in step with the next hop after `step`, so that QUIT
// can be said; after a timeout, a broken connection or half-sent content it is not.
bool in_step(const Step& step) {
  if (!step) {
    return true;
  }
  switch (step->kind) {
    case FailureKind::reply:
    case FailureKind::tls_unavailable:
    case FailureKind::size_exceeded:
      return true;
    case FailureKind::timeout:
    case FailureKind::connection:
    case FailureKind::protocol:
    case FailureKind::tls_failed:
    case FailureKind::spool:
      return false;
  }
  return false;
}

class ClientSession {
 public:
  ClientSession(runtime::Host& host, const ClientSettings& settings, const NextHop& hop,
                const Transaction& transaction, SpoolReader& content, bool allow_tls)
      : host_(host),
        settings_(settings),
        timeouts_(settings.timeouts),
        hop_(hop),
        transaction_(transaction),
        content_(content),
        allow_tls_(allow_tls) {
    assert(!transaction_.recipients.empty());
    assert(hop_.tls == TlsPolicy::none || hop_.tls_context != nullptr);
  }

  asio::awaitable<SessionOutcome> run();

  // Whether a `may` handshake failed, so that the caller connects again in plaintext.
  bool wants_plaintext() const { return handshake_failed_ && hop_.tls == TlsPolicy::may; }

 private:
  asio::awaitable<Step> open();
  asio::awaitable<Step> hello();
  asio::awaitable<Step> secure();
  asio::awaitable<Step> handshake();
  asio::awaitable<Step> transact();
  asio::awaitable<Step> send_envelope_serially();
  asio::awaitable<Step> send_envelope_pipelined();
  asio::awaitable<Step> send_content();
  asio::awaitable<void> drain_refused_group();
  asio::awaitable<void> end_empty_data();
  asio::awaitable<void> quit();

  asio::awaitable<WaitOutcome> command(std::string line, runtime::Duration timeout);
  Step settle_data_reply(const WaitOutcome& data);
  std::string mail_command() const;
  std::string rcpt_command(std::size_t index) const;
  std::size_t accepted_count() const;

  runtime::Host& host_;
  const ClientSettings& settings_;
  const Delivery& timeouts_;
  const NextHop& hop_;
  const Transaction& transaction_;
  SpoolReader& content_;
  const bool allow_tls_;

  std::optional<ClientConnection> connection_;
  ServerExtensions extensions_;
  SessionOutcome outcome_;
  bool handshake_failed_ = false;
  bool send_content_ = false;  // DATA got 354 for accepted recipients
};

asio::awaitable<SessionOutcome> ClientSession::run() {
  outcome_.recipient_replies.resize(transaction_.recipients.size());

  // Each phase runs only if the ones before it left the session going.
  Step step = co_await open();
  if (!step) {
    step = co_await hello();
  }
  if (!step) {
    step = co_await secure();
  }
  if (!step) {
    step = co_await transact();
  }

  // Say goodbye where the conversation is still in step, then hang up.
  if (connection_ && in_step(step)) {
    co_await quit();
  }
  if (connection_) {
    connection_->close();
  }
  outcome_.failure = std::move(step);
  co_return std::move(outcome_);
}

asio::awaitable<Step> ClientSession::open() {
  // Connect.
  ++outcome_.connections;
  runtime::ByteStream stream;
  const WaitOutcome connected =
      co_await ClientConnection::connect(host_, hop_.address, timeouts_.connect_timeout, stream);
  if (!connected.ok()) {
    co_return wait_failure(DeliveryStage::connect, connected, timeouts_.connect_timeout);
  }
  connection_.emplace(host_, std::move(stream));

  // RFC 5321 3.1: the server speaks first; anything but 220 means no service here.
  const WaitOutcome greeting = co_await connection_->read_reply(timeouts_.greeting_timeout);
  if (!greeting.ok()) {
    co_return wait_failure(DeliveryStage::greeting, greeting, timeouts_.greeting_timeout);
  }
  if (greeting.reply.code != code_service_ready) {
    co_return refusal(DeliveryStage::greeting, greeting.reply);
  }
  co_return std::nullopt;
}

asio::awaitable<Step> ClientSession::hello() {
  const WaitOutcome ehlo =
      co_await command("EHLO " + settings_.helo_name, timeouts_.command_timeout);
  if (!ehlo.ok()) {
    co_return wait_failure(DeliveryStage::ehlo, ehlo, timeouts_.command_timeout);
  }
  if (ehlo.reply.code == code_ok) {
    extensions_ = parse_ehlo_reply(ehlo.reply);
    co_return std::nullopt;
  }
  if (!ehlo.reply.is_permanent_failure()) {
    co_return refusal(DeliveryStage::ehlo, ehlo.reply);
  }

  // RFC 5321 3.2: a server that does not know EHLO answers 5xx, and HELO still works,
  // without any extension.
  const WaitOutcome helo =
      co_await command("HELO " + settings_.helo_name, timeouts_.command_timeout);
  if (!helo.ok()) {
    co_return wait_failure(DeliveryStage::ehlo, helo, timeouts_.command_timeout);
  }
  if (helo.reply.code != code_ok) {
    co_return refusal(DeliveryStage::ehlo, helo.reply);
  }
  extensions_ = ServerExtensions{};
  co_return std::nullopt;
}

asio::awaitable<Step> ClientSession::secure() {
  if (hop_.tls == TlsPolicy::none || !allow_tls_) {
    co_return std::nullopt;
  }
  const bool optional = hop_.tls == TlsPolicy::may;

  // Without the offer, may goes on in plaintext; encrypt and verify never do.
  if (!extensions_.starttls) {
    if (optional) {
      co_return std::nullopt;
    }
    co_return failure(DeliveryStage::starttls, FailureKind::tls_unavailable,
                      "STARTTLS not offered");
  }

  // RFC 3207 4: after a refusal the client may go on without TLS, or give up.
  const WaitOutcome reply = co_await command("STARTTLS", timeouts_.command_timeout);
  if (!reply.ok()) {
    co_return wait_failure(DeliveryStage::starttls, reply, timeouts_.command_timeout);
  }
  if (reply.reply.code != code_service_ready) {
    if (optional) {
      co_return std::nullopt;
    }
    co_return refusal(DeliveryStage::starttls, reply.reply);
  }
  co_return co_await handshake();
}

asio::awaitable<Step> ClientSession::handshake() {
  WaitOutcome secured =
      co_await connection_->start_tls(*hop_.tls_context, hop_.tls_name, timeouts_.command_timeout);
  if (!secured.ok()) {
    handshake_failed_ = true;
    SessionFailure failed =
        wait_failure(DeliveryStage::starttls, secured, timeouts_.command_timeout);
    if (failed.kind == FailureKind::connection) {
      failed.kind = FailureKind::tls_failed;
    }
    co_return failed;
  }
  outcome_.tls = true;
  if (auto details = connection_->tls_details()) {
    outcome_.tls_details = details->version + " " + details->cipher;
  }

  // RFC 3207 4.2: the server forgets what it knew, so the client greets it again and
  // learns its extensions afresh.
  co_return co_await hello();
}

asio::awaitable<Step> ClientSession::transact() {
  // RFC 1870 6.1: a message larger than the next hop takes is not sent at all.
  if (extensions_.size_max_bytes && transaction_.content_size_bytes > *extensions_.size_max_bytes) {
    co_return failure(DeliveryStage::mail, FailureKind::size_exceeded,
                      "message of " + std::to_string(transaction_.content_size_bytes) +
                          " bytes exceeds the next hop's limit of " +
                          std::to_string(*extensions_.size_max_bytes));
  }

  // Two awaits inside one conditional expression miscompile with g++ 12, so each branch
  // has its own statement.
  Step step;
  if (extensions_.pipelining) {
    step = co_await send_envelope_pipelined();
  } else {
    step = co_await send_envelope_serially();
  }
  if (step || !send_content_) {
    co_return step;
  }
  co_return co_await send_content();
}

asio::awaitable<Step> ClientSession::send_envelope_serially() {
  // MAIL first: a refused sender ends the transaction.
  const WaitOutcome mail = co_await command(mail_command(), timeouts_.command_timeout);
  if (!mail.ok()) {
    co_return wait_failure(DeliveryStage::mail, mail, timeouts_.command_timeout);
  }
  if (!mail.reply.is_completion()) {
    co_return refusal(DeliveryStage::mail, mail.reply);
  }

  // One RCPT per recipient, each with its own answer.
  for (std::size_t i = 0; i < transaction_.recipients.size(); ++i) {
    const WaitOutcome rcpt = co_await command(rcpt_command(i), timeouts_.command_timeout);
    if (!rcpt.ok()) {
      co_return wait_failure(DeliveryStage::rcpt, rcpt, timeouts_.command_timeout);
    }
    outcome_.recipient_replies[i] = rcpt.reply;
  }

  // DATA only when someone is left to receive the message.
  if (accepted_count() == 0) {
    co_return std::nullopt;
  }
  const WaitOutcome data = co_await command("DATA", timeouts_.data_start_timeout);
  co_return settle_data_reply(data);
}

asio::awaitable<Step> ClientSession::send_envelope_pipelined() {
  // RFC 2920 3.1: MAIL, every RCPT and DATA go as one group, DATA last.
  std::string group = mail_command() + "\r\n";
  for (std::size_t i = 0; i < transaction_.recipients.size(); ++i) {
    group += rcpt_command(i) + "\r\n";
  }
  group += "DATA\r\n";
  const WaitOutcome written = co_await connection_->write(group, timeouts_.command_timeout);
  if (!written.ok()) {
    co_return wait_failure(DeliveryStage::mail, written, timeouts_.command_timeout);
  }

  // The replies come in the order of the commands; every one is read.
  const WaitOutcome mail = co_await connection_->read_reply(timeouts_.command_timeout);
  if (!mail.ok()) {
    co_return wait_failure(DeliveryStage::mail, mail, timeouts_.command_timeout);
  }

  // A refused sender makes the RCPT replies meaningless (they refuse the sequence, not the
  // recipients), so the MAIL reply decides for everyone, even if the rest never comes.
  if (!mail.reply.is_completion()) {
    co_await drain_refused_group();
    co_return refusal(DeliveryStage::mail, mail.reply);
  }
  for (std::size_t i = 0; i < transaction_.recipients.size(); ++i) {
    const WaitOutcome rcpt = co_await connection_->read_reply(timeouts_.command_timeout);
    if (!rcpt.ok()) {
      co_return wait_failure(DeliveryStage::rcpt, rcpt, timeouts_.command_timeout);
    }
    outcome_.recipient_replies[i] = rcpt.reply;
  }
  const WaitOutcome data = co_await connection_->read_reply(timeouts_.data_start_timeout);
  if (!data.ok()) {
    co_return wait_failure(DeliveryStage::data, data, timeouts_.data_start_timeout);
  }

  // Nobody to send to: a DATA accepted anyway gets an empty message that is thrown away.
  if (accepted_count() == 0) {
    if (data.reply.code == code_start_mail_input) {
      co_await end_empty_data();
    }
    co_return std::nullopt;
  }
  co_return settle_data_reply(data);
}

asio::awaitable<void> ClientSession::drain_refused_group() {
  // The replies to every RCPT and to DATA are still owed; reading them keeps the
  // connection in step for QUIT. When they do not come, it is closed instead.
  WaitOutcome last;
  for (std::size_t i = 0; i <= transaction_.recipients.size() && last.ok(); ++i) {
    const runtime::Duration timeout = i < transaction_.recipients.size()
                                          ? timeouts_.command_timeout
                                          : timeouts_.data_start_timeout;
    last = co_await connection_->read_reply(timeout);
  }
  if (!last.ok()) {
    connection_->close();
    connection_.reset();
    co_return;
  }
  if (last.reply.code == code_start_mail_input) {
    co_await end_empty_data();
  }
}

Step ClientSession::settle_data_reply(const WaitOutcome& data) {
  if (!data.ok()) {
    return wait_failure(DeliveryStage::data, data, timeouts_.data_start_timeout);
  }
  if (data.reply.code == code_start_mail_input) {
    send_content_ = true;
    return std::nullopt;
  }
  if (data.reply.is_transient_failure() || data.reply.is_permanent_failure()) {
    outcome_.data_reply = data.reply;
    return std::nullopt;
  }
  return unexpected(DeliveryStage::data, data.reply);
}

asio::awaitable<void> ClientSession::end_empty_data() {
  // RFC 2920 3.1: a server may accept DATA after refusing everything before it; the
  // client then ends the data at once and ignores the reply. Failing that, the
  // connection is no longer trusted and is closed without QUIT.
  WaitOutcome ended = co_await connection_->write(".\r\n", timeouts_.data_block_timeout);
  if (ended.ok()) {
    ended = co_await connection_->read_reply(timeouts_.data_end_timeout);
  }
  if (!ended.ok()) {
    connection_->close();
    connection_.reset();
  }
}

asio::awaitable<Step> ClientSession::send_content() {
  // The content goes chunk by chunk, as the spool gives it, dot-stuffed on the way.
  DotStuffer stuffer;
  for (;;) {
    auto chunk = content_.next_chunk();
    if (!chunk) {
      // Closing without the final "." makes the next hop drop what it got (RFC 5321
      // 4.1.1.4); a "." would deliver a damaged message.
      co_return failure(DeliveryStage::data, FailureKind::spool,
                        "spool: " + chunk.error().message());
    }
    if (chunk->empty()) {
      break;
    }
    const WaitOutcome sent =
        co_await connection_->write(stuffer.encode(*chunk), timeouts_.data_block_timeout);
    if (!sent.ok()) {
      co_return wait_failure(DeliveryStage::data, sent, timeouts_.data_block_timeout);
    }
  }
  const WaitOutcome ended =
      co_await connection_->write(stuffer.finish(), timeouts_.data_block_timeout);
  if (!ended.ok()) {
    co_return wait_failure(DeliveryStage::data, ended, timeouts_.data_block_timeout);
  }

  // RFC 5321 4.5.3.2.6: the final reply may take a while; the server is storing the mail.
  const WaitOutcome final_reply = co_await connection_->read_reply(timeouts_.data_end_timeout);
  if (!final_reply.ok()) {
    co_return wait_failure(DeliveryStage::dot, final_reply, timeouts_.data_end_timeout);
  }
  if (final_reply.reply.is_intermediate()) {
    co_return unexpected(DeliveryStage::dot, final_reply.reply);
  }
  outcome_.data_reply = final_reply.reply;
  co_return std::nullopt;
}

asio::awaitable<void> ClientSession::quit() {
  // RFC 5321 4.1.1.10: the reply to QUIT is awaited, but nothing depends on it any more.
  co_await command("QUIT", timeouts_.command_timeout);
}

asio::awaitable<WaitOutcome> ClientSession::command(std::string line, runtime::Duration timeout) {
  line += "\r\n";
  const WaitOutcome written = co_await connection_->write(line, timeout);
  if (!written.ok()) {
    co_return written;
  }
  co_return co_await connection_->read_reply(timeout);
}

std::string ClientSession::mail_command() const {
  std::string line = "MAIL FROM:<" + transaction_.mail_from + ">";

  // RFC 1870 3: SIZE declares the content's octets, dot-stuffing not counted.
  if (extensions_.size) {
    line += " SIZE=" + std::to_string(transaction_.content_size_bytes);
  }

  // RFC 6152 2: only 8-bit content is declared, and only to a server that offers it.
  // TODO: 8-bit content goes to a next hop without 8BITMIME as it is, where RFC 6152 3 asks
  // for a conversion to 7 bits or a bounce; a strict 7-bit server may refuse or mangle it.
  if (extensions_.eight_bit_mime && transaction_.body_type == BodyType::eight_bit_mime) {
    line += " BODY=8BITMIME";
  }
  return line;
}

std::string ClientSession::rcpt_command(std::size_t index) const {
  return "RCPT TO:<" + transaction_.recipients[index] + ">";
}

std::size_t ClientSession::accepted_count() const {
  std::size_t accepted = 0;
  for (const auto& reply : outcome_.recipient_replies) {
    accepted += reply && reply->is_completion() ? 1 : 0;
  }
  return accepted;
}

}  // namespace

asio::awaitable<SessionOutcome> run_smtp_session(runtime::Host& host,
                                                 const ClientSettings& settings, const NextHop& hop,
                                                 const Transaction& transaction,
                                                 SpoolReader& content) {
  ClientSession first(host, settings, hop, transaction, content, true);
  SessionOutcome outcome = co_await first.run();
  if (!first.wants_plaintext()) {
    co_return outcome;
  }

  // `may`: the handshake closed the connection, so a new one carries the mail in plaintext.
  const std::string hop_text = hop.address.to_string();
  const std::string error = outcome.failure ? outcome.failure->detail : std::string();
  host.events().record(
      "delivery.tls_fallback",
      {{"queue_id", content.queue_id().text()}, {"hop", hop_text}, {"error", error}});
  content.rewind();
  ClientSession second(host, settings, hop, transaction, content, false);
  SessionOutcome plain = co_await second.run();
  plain.connections += outcome.connections;
  co_return plain;
}

}  // namespace gateway
