#include "gateway/server/smtp_session.hpp"

#include <algorithm>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "gateway/server/received_header.hpp"
#include "gateway/smtp/bdat_reader.hpp"
#include "gateway/smtp/capabilities.hpp"
#include "gateway/smtp/data_reader.hpp"
#include "gateway/smtp/relay_policy.hpp"
#include "gateway/smtp/replies.hpp"
#include "gateway/spool/spool_writer.hpp"

namespace gateway {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

// How long a client may stay connected while inline inspection runs: the inspector keeps
// its own deadline (emulation.max_delay); this only bounds a wait that must end anyway.
constexpr auto inline_wait_limit = std::chrono::hours(24);

// The content checks of DATA and BDAT alike, from the configuration's limits.
smtp::ContentLimits content_limits(const Limits& limits) {
  return smtp::ContentLimits{
      .line_octets_max = limits.max_line_length_bytes,
      .message_octets_max = limits.max_message_size_bytes,
      .header_fields_max = limits.max_header_fields,
      .header_octets_max = limits.max_header_size_bytes,
      .received_fields_max = limits.max_received_headers,
  };
}

smtp::Reply too_many_messages() {
  return smtp::Reply{421, "4.7.0", {"Too many messages in this session, reconnect"}};
}

smtp::Reply already_tls() {
  return smtp::Reply{503, "5.5.1", {"TLS is already active"}};
}

std::string first_line(const smtp::Reply& reply) {
  return reply.lines.empty() ? std::string() : reply.lines.front();
}

}  // namespace

struct SmtpSession::DataOutcome {
  FillStatus status = FillStatus::ok;  // ok: the terminator was read
  bool too_slow = false;               // with status timeout: the rate floor, not a deadline
  std::optional<smtp::Reply> rejection;
  runtime::error_code spool_error;
};

// A message arriving in BDAT chunks: its spool file, the reader that checks its content
// as DATA's does, and the first spool error (answered at the next chunk's reply).
struct SmtpSession::BdatTransfer {
  BdatTransfer(SpoolWriter spool_writer, const smtp::ContentLimits& limits,
               runtime::SteadyTime first_chunk)
      : writer(std::move(spool_writer)),
        reader(limits,
               [this](std::string_view chunk) {
                 if (!spool_error) {
                   spool_error = writer.append(chunk);
                 }
               }),
        started(first_chunk) {}
  BdatTransfer(const BdatTransfer&) = delete;
  BdatTransfer& operator=(const BdatTransfer&) = delete;

  SpoolWriter writer;
  smtp::BdatReader reader;
  runtime::error_code spool_error;
  runtime::SteadyTime started;  // limits.data_timeout counts from the first chunk
};

SmtpSession::~SmtpSession() = default;

SmtpSession::SmtpSession(ServerContext& context, runtime::ByteStream stream, std::string session_id)
    : context_(context),
      stream_(std::move(stream)),
      session_id_(std::move(session_id)),
      input_(context.host),
      lines_(context.config.limits.max_command_length_bytes, smtp::LineEnding::crlf_only),
      started_(context.host.clock().now()) {}

asio::awaitable<void> SmtpSession::run() {
  context_.log.debug("smtp.connect",
                     {{"session", session_id_}, {"client", stream_.remote_endpoint().to_string()}});
  if (!co_await send(smtp::replies::service_ready(context_.config.hostname))) {
    end_reason_ = "lost";
    log_summary();
    co_return;
  }

  for (;;) {
    // Read the next command, answering what cannot be one.
    ReadCommand read = co_await read_command();
    if (read.status == FillStatus::timeout) {
      end_reason_ = "timeout";
      co_await send(smtp::replies::timeout(context_.config.hostname));
      break;
    }
    if (read.status == FillStatus::closed) {
      end_reason_ = "lost";
      break;
    }
    if (read.too_long) {
      ++command_counts_["too_long"];
      if (!co_await send(smtp::replies::line_too_long())) {
        break;
      }
      continue;
    }

    // Parse and act.
    const smtp::CommandParse parse = smtp::parse_command(
        read.line, {.line_octets_max = context_.config.limits.max_command_length_bytes});
    ++command_counts_[std::string(smtp::verb_name(parse.command.verb))];
    context_.host.events().record("smtp.command", {{"session", session_id_}, {"line", read.line}});
    Next next = Next::go_on;
    if (!parse.ok()) {
      next = co_await send(*parse.refusal) ? Next::go_on : Next::close;
      // A BDAT whose size cannot be read leaves its octets unread and the input out of
      // step with the commands, so the session ends.
      if (parse.command.verb == smtp::Verb::bdat) {
        end_reason_ = "bad_bdat";
        next = Next::close;
      }
    } else {
      next = co_await dispatch(parse.command);
    }
    if (next == Next::close) {
      break;
    }
    if (context_.stopping) {
      end_reason_ = "shutdown";
      co_await send(smtp::replies::shutting_down(context_.config.hostname));
      break;
    }
  }
  stream_.close();
  log_summary();
}

asio::awaitable<SmtpSession::ReadCommand> SmtpSession::read_command() {
  ReadCommand result;
  const auto deadline = context_.host.clock().now() + context_.config.limits.command_timeout;
  for (;;) {
    // A whole line may already be buffered (pipelining).
    const smtp::LineStep step = lines_.feed(input_.data());
    input_.consume(step.consumed_octets);
    if (step.status == smtp::LineStatus::line) {
      result.line = std::string(lines_.line());
      co_return result;
    }
    if (step.status == smtp::LineStatus::too_long) {
      result.too_long = true;
      co_return result;
    }

    // Otherwise wait for more bytes.
    runtime::error_code ec;
    result.status = co_await input_.fill(stream_, deadline, ec);
    if (result.status != FillStatus::ok) {
      co_return result;
    }
  }
}

asio::awaitable<bool> SmtpSession::send(const smtp::Reply& reply) {
  context_.host.events().record(
      "smtp.reply", {{"session", session_id_}, {"code", reply.code}, {"text", first_line(reply)}});
  const std::string wire = smtp::to_wire(reply);
  auto [ec, written] =
      co_await asio::async_write(stream_, asio::buffer(wire), asio::as_tuple(asio::use_awaitable));
  (void)written;
  co_return !ec;
}

asio::awaitable<SmtpSession::Next> SmtpSession::dispatch(const smtp::Command& command) {
  using smtp::Verb;
  auto answer = [&](const smtp::Reply& reply) -> asio::awaitable<Next> {
    co_return co_await send(reply) ? Next::go_on : Next::close;
  };
  switch (command.verb) {
    case Verb::ehlo:
      co_return co_await on_hello(command, true);
    case Verb::helo:
      co_return co_await on_hello(command, false);
    case Verb::mail:
      co_return co_await on_mail(command);
    case Verb::rcpt:
      co_return co_await on_rcpt(command);
    case Verb::data:
      co_return co_await on_data();
    case Verb::starttls:
      co_return co_await on_starttls();
    case Verb::rset:
      reset_transaction();
      co_return co_await answer(smtp::replies::ok());
    case Verb::noop:
      co_return co_await answer(smtp::replies::ok());
    case Verb::vrfy:
      co_return co_await answer(smtp::replies::cannot_verify());
    case Verb::help:
      co_return co_await answer(smtp::replies::help());
    case Verb::quit:
      co_await send(smtp::replies::closing(context_.config.hostname));
      co_return Next::close;
    case Verb::bdat:
      co_return co_await on_bdat(command);
    case Verb::expn:
    case Verb::unknown:
      break;
  }
  co_return co_await answer(smtp::replies::not_implemented());
}

asio::awaitable<SmtpSession::Next> SmtpSession::on_hello(const smtp::Command& command,
                                                         bool extended) {
  // RFC 5321 4.1.4: a new EHLO or HELO resets the transaction.
  reset_transaction();
  helo_name_ = command.argument;
  extended_ = extended;
  if (!extended) {
    co_return co_await send(smtp::replies::helo_ok(context_.config.hostname)) ? Next::go_on
                                                                              : Next::close;
  }
  smtp::CapabilityOptions options;
  options.hostname = context_.config.hostname;
  options.message_octets_max = context_.config.limits.max_message_size_bytes;
  options.chunking = true;
  options.starttls_offered = context_.tls != nullptr && !tls_active_;
  options.tls_active = tls_active_;
  co_return co_await send(smtp::ehlo_reply(options)) ? Next::go_on : Next::close;
}

asio::awaitable<SmtpSession::Next> SmtpSession::on_mail(const smtp::Command& command) {
  const auto& limits = context_.config.limits;
  auto answer = [&](const smtp::Reply& reply) -> asio::awaitable<Next> {
    co_return co_await send(reply) ? Next::go_on : Next::close;
  };

  // Sequence and session bounds first, then the queue's room, then the arguments.
  if (!helo_name_ || mail_from_) {
    co_return co_await answer(smtp::replies::bad_sequence());
  }
  if (!limits.unlimited_messages_per_session() &&
      messages_accepted_ >= limits.max_messages_per_session) {
    end_reason_ = "message_limit";
    co_await send(too_many_messages());
    co_return Next::close;
  }
  auto place = context_.queue.admit();
  if (!place) {
    context_.log.warn("smtp.queue_full", {{"session", session_id_}});
    co_return co_await answer(smtp::replies::queue_full());
  }
  auto parsed = smtp::parse_mail_from(command.argument,
                                      {.message_octets_max = limits.max_message_size_bytes});
  if (!parsed.ok()) {
    co_return co_await answer(parsed.refusal());
  }
  mail_from_ = parsed.value();
  admission_ = std::move(place);
  co_return co_await answer(smtp::replies::sender_ok());
}

asio::awaitable<SmtpSession::Next> SmtpSession::on_rcpt(const smtp::Command& command) {
  auto answer = [&](const smtp::Reply& reply) -> asio::awaitable<Next> {
    co_return co_await send(reply) ? Next::go_on : Next::close;
  };
  if (!mail_from_) {
    co_return co_await answer(smtp::replies::bad_sequence());
  }
  if (recipients_.size() >= context_.config.limits.max_recipients) {
    co_return co_await answer(smtp::replies::too_many_recipients());
  }
  auto parsed = smtp::parse_rcpt_to(command.argument);
  if (!parsed.ok()) {
    co_return co_await answer(parsed.refusal());
  }

  // Relay policy: only accepted domains, and none of the address tricks.
  const smtp::Path& path = parsed.value().forward_path;
  const auto decision = smtp::classify_recipient(path, context_.config.accepted_domains);
  if (auto refusal = smtp::relay_refusal(decision)) {
    context_.log.info("smtp.relay_denied", {{"session", session_id_},
                                            {"recipient", path.mailbox.address()},
                                            {"reason", smtp::decision_name(decision)}});
    co_return co_await answer(*refusal);
  }
  // RFC 5321 4.1.1.3: the domainless <Postmaster> is the postmaster of this system, which
  // for a gateway means that of the first domain it accepts mail for.
  recipients_.push_back(path.is_domainless_postmaster()
                            ? "postmaster@" + context_.config.accepted_domains.front()
                            : path.mailbox.address());
  co_return co_await answer(smtp::replies::recipient_ok());
}

Envelope SmtpSession::make_envelope() const {
  Envelope envelope;
  const smtp::Path& sender = mail_from_->reverse_path;
  envelope.mail_from = sender.null ? std::string() : sender.mailbox.address();
  envelope.recipients = recipients_;
  envelope.client_address = stream_.remote_endpoint().to_string();
  envelope.helo_name = helo_name_.value_or("");
  envelope.tls = tls_active_;
  envelope.tls_details = tls_summary_;
  // Whole microseconds, the finest time the spool keeps.
  envelope.received_time =
      std::chrono::floor<std::chrono::microseconds>(context_.host.clock().wall_now());
  envelope.body_type = mail_from_->parameters.body == smtp::BodyType::eight_bit_mime
                           ? BodyType::eight_bit_mime
                           : BodyType::seven_bit;
  envelope.declared_size_bytes = mail_from_->parameters.declared_size_octets;
  return envelope;
}

asio::awaitable<SmtpSession::Next> SmtpSession::on_data() {
  auto answer = [&](const smtp::Reply& reply) -> asio::awaitable<Next> {
    co_return co_await send(reply) ? Next::go_on : Next::close;
  };
  // RFC 3030 2: a transaction that began with BDAT ends with BDAT LAST.
  if (!mail_from_ || bdat_) {
    co_return co_await answer(smtp::replies::bad_sequence());
  }
  if (recipients_.empty()) {
    co_return co_await answer(smtp::replies::no_valid_recipients());
  }

  // Open the spool file and put our trace field first.
  const Envelope envelope = make_envelope();
  auto writer = context_.spool.begin(envelope);
  if (!writer) {
    context_.log.error("smtp.spool_failed",
                       {{"session", session_id_}, {"error", writer.error().message()}});
    co_return co_await answer(smtp::replies::local_error());
  }
  const std::string queue_id = writer->queue_id().text();
  if (auto ec = writer->append(
          received_header(envelope, extended_, context_.config.hostname, queue_id))) {
    writer->abandon();
    co_return co_await answer(smtp::replies::local_error());
  }
  if (!co_await send(smtp::replies::start_mail_input())) {
    writer->abandon();
    co_return Next::close;
  }

  // Read to the terminator; only then is there anything to answer.
  DataOutcome outcome = co_await receive_data(*writer);
  if (outcome.status != FillStatus::ok) {
    writer->abandon();
    end_reason_ = outcome.too_slow                        ? "data_too_slow"
                  : outcome.status == FillStatus::timeout ? "data_timeout"
                                                          : "lost_in_data";
    if (outcome.too_slow) {
      co_await send(smtp::replies::too_slow(context_.config.hostname));
    } else if (outcome.status == FillStatus::timeout) {
      co_await send(smtp::replies::timeout(context_.config.hostname));
    }
    co_return Next::close;
  }
  // The transaction ends here; its place in the queue stays until the message is queued.
  std::optional<QueueManager::Admission> place = std::move(admission_);
  reset_transaction();
  if (outcome.rejection) {
    writer->abandon();
    ++context_.metrics.messages_rejected_total;
    context_.log.info("smtp.message_rejected", {{"session", session_id_},
                                                {"queue_id", queue_id},
                                                {"reply", first_line(*outcome.rejection)}});
    co_return co_await answer(*outcome.rejection);
  }

  co_return co_await accept_message(*writer, outcome.spool_error, std::move(place));
}

asio::awaitable<SmtpSession::Next> SmtpSession::accept_message(
    SpoolWriter& writer, runtime::error_code spool_error,
    std::optional<QueueManager::Admission> place) {
  auto answer = [&](const smtp::Reply& reply) -> asio::awaitable<Next> {
    co_return co_await send(reply) ? Next::go_on : Next::close;
  };
  // Durable before 250: commit syncs the file and its folder.
  const std::string queue_id = writer.queue_id().text();
  auto committed = spool_error ? runtime::Result<QueuedMessage>(spool_error) : writer.commit();
  if (!committed) {
    writer.abandon();
    context_.log.error(
        "smtp.spool_failed",
        {{"session", session_id_}, {"queue_id", queue_id}, {"error", committed.error().message()}});
    co_return co_await answer(smtp::replies::local_error());
  }
  QueuedMessage message = std::move(*committed);
  context_.log.info("smtp.message_received", {{"session", session_id_},
                                              {"queue_id", queue_id},
                                              {"from", message.envelope.mail_from},
                                              {"recipients", message.envelope.recipients.size()},
                                              {"size", message.content_size_bytes},
                                              {"tls", message.envelope.tls}});

  if (context_.config.mode == Mode::inline_inspection) {
    if (!co_await inspect_inline(message, std::move(place))) {
      end_reason_ = "left_during_inspection";
      co_return Next::close;
    }
  } else {
    context_.queue.commit(std::move(message));
    place.reset();  // the message counts itself now
  }

  ++messages_accepted_;
  ++context_.metrics.messages_received_total;
  context_.metrics.receive_seconds.observe(context_.host.clock().now() - started_);
  co_return co_await answer(smtp::replies::message_queued(queue_id));
}

asio::awaitable<SmtpSession::Next> SmtpSession::on_bdat(const smtp::Command& command) {
  auto answer = [&](const smtp::Reply& reply) -> asio::awaitable<Next> {
    co_return co_await send(reply) ? Next::go_on : Next::close;
  };
  const auto& limits = context_.config.limits;
  const smtp::BdatArguments chunk = command.bdat.value();

  // Octets beyond the message size limit are not read just to drop them: the session
  // refuses the chunk and ends, since its input would no longer be in step.
  const std::uint64_t size_max = limits.max_message_size_bytes;
  const std::uint64_t before = bdat_ ? std::min(bdat_->reader.announced_octets(), size_max) : 0;
  if (chunk.chunk_octets > size_max - before) {
    end_reason_ = "bdat_too_large";
    reset_transaction();
    co_await send(smtp::replies::message_too_big());
    co_return Next::close;
  }

  // Out of sequence, the chunk's octets are on their way all the same (RFC 3030 2): they
  // are read and dropped, then refused.
  std::optional<smtp::Reply> refusal;
  if (!mail_from_) {
    refusal = smtp::replies::bad_sequence();
  } else if (recipients_.empty()) {
    refusal = smtp::replies::no_valid_recipients();
  }

  // The first chunk opens the spool file, our trace field first, as DATA does.
  if (!refusal && !bdat_) {
    const Envelope envelope = make_envelope();
    auto writer = context_.spool.begin(envelope);
    if (!writer) {
      context_.log.error("smtp.spool_failed",
                         {{"session", session_id_}, {"error", writer.error().message()}});
      refusal = smtp::replies::local_error();
    } else {
      bdat_ = std::make_unique<BdatTransfer>(std::move(*writer), content_limits(limits),
                                             context_.host.clock().now());
      bdat_->spool_error = bdat_->writer.append(received_header(
          envelope, extended_, context_.config.hostname, bdat_->writer.queue_id().text()));
    }
  }
  if (bdat_ && !refusal) {
    bdat_->reader.begin_chunk(chunk.chunk_octets, chunk.last);
  }

  const FillStatus status = co_await receive_chunk(refusal ? chunk.chunk_octets : 0);
  if (status != FillStatus::ok) {
    end_reason_ = status == FillStatus::timeout ? "bdat_timeout" : "lost_in_bdat";
    reset_transaction();
    if (status == FillStatus::timeout) {
      co_await send(smtp::replies::timeout(context_.config.hostname));
    }
    co_return Next::close;
  }
  if (refusal) {
    // RFC 3030 2: a refused chunk fails the transaction.
    reset_transaction();
    co_return co_await answer(*refusal);
  }

  // A refused or failed chunk ends the transaction; the client sends no more chunks.
  if (auto rejection = bdat_->reader.rejection()) {
    ++context_.metrics.messages_rejected_total;
    context_.log.info("smtp.message_rejected", {{"session", session_id_},
                                                {"queue_id", bdat_->writer.queue_id().text()},
                                                {"reply", first_line(*rejection)}});
    reset_transaction();
    co_return co_await answer(*rejection);
  }
  if (!chunk.last) {
    if (bdat_->spool_error) {
      context_.log.error("smtp.spool_failed", {{"session", session_id_},
                                               {"queue_id", bdat_->writer.queue_id().text()},
                                               {"error", bdat_->spool_error.message()}});
      reset_transaction();
      co_return co_await answer(smtp::replies::local_error());
    }
    co_return co_await answer(smtp::replies::chunk_received(chunk.chunk_octets));
  }

  // LAST: the transaction ends, and the message goes on as after DATA.
  std::unique_ptr<BdatTransfer> transfer = std::move(bdat_);
  std::optional<QueueManager::Admission> place = std::move(admission_);
  reset_transaction();
  co_return co_await accept_message(transfer->writer, transfer->spool_error, std::move(place));
}

asio::awaitable<FillStatus> SmtpSession::receive_chunk(std::uint64_t dropped_octets) {
  const auto& limits = context_.config.limits;
  const runtime::SteadyTime data_deadline =
      (bdat_ ? bdat_->started : context_.host.clock().now()) + limits.data_timeout;
  std::uint64_t to_drop = dropped_octets;
  for (;;) {
    if (to_drop > 0) {
      const auto used =
          static_cast<std::size_t>(std::min<std::uint64_t>(to_drop, input_.data().size()));
      input_.consume(used);
      to_drop -= used;
      if (to_drop == 0) {
        co_return FillStatus::ok;
      }
    } else if (bdat_ && !bdat_->reader.chunk_complete()) {
      input_.consume(bdat_->reader.feed(input_.data()));
      if (bdat_->reader.chunk_complete()) {
        co_return FillStatus::ok;
      }
    } else {
      co_return FillStatus::ok;
    }

    // Each read waits at most a command timeout, and the whole message the data timeout.
    const auto read_deadline =
        std::min(context_.host.clock().now() + limits.command_timeout, data_deadline);
    runtime::error_code ec;
    const FillStatus status = co_await input_.fill(stream_, read_deadline, ec);
    if (status != FillStatus::ok) {
      co_return status;
    }
  }
}

asio::awaitable<SmtpSession::DataOutcome> SmtpSession::receive_data(SpoolWriter& writer) {
  const auto& limits = context_.config.limits;
  DataOutcome outcome;
  // Spool errors are remembered and answered at the end: the client sends the whole data
  // before it listens.
  smtp::DataReader reader(content_limits(limits), [&](std::string_view chunk) {
    if (!outcome.spool_error) {
      outcome.spool_error = writer.append(chunk);
    }
  });

  const auto started = context_.host.clock().now();
  const auto data_deadline = started + limits.data_timeout;
  std::uint64_t received_bytes = 0;
  for (;;) {
    const std::size_t used = reader.feed(input_.data());
    input_.consume(used);
    received_bytes += used;
    if (reader.complete()) {
      outcome.rejection = reader.rejection();
      co_return outcome;
    }

    // The rate floor (limits.min_data_rate), once the phase has lasted a command timeout:
    // a sender trickling bytes just fast enough to beat each read's deadline would
    // otherwise hold a connection slot for the whole data timeout.
    const auto elapsed = context_.host.clock().now() - started;
    if (limits.min_data_rate_bytes_per_second > 0 && elapsed >= limits.command_timeout) {
      const double seconds = std::chrono::duration<double>(elapsed).count();
      const double rate = static_cast<double>(received_bytes) / seconds;
      if (rate < static_cast<double>(limits.min_data_rate_bytes_per_second)) {
        outcome.status = FillStatus::timeout;
        outcome.too_slow = true;
        co_return outcome;
      }
    }

    // Each read waits at most a command timeout, and the whole phase the data timeout.
    const auto read_deadline =
        std::min(context_.host.clock().now() + limits.command_timeout, data_deadline);
    runtime::error_code ec;
    outcome.status = co_await input_.fill(stream_, read_deadline, ec);
    if (outcome.status != FillStatus::ok) {
      co_return outcome;
    }
  }
}

asio::awaitable<bool> SmtpSession::inspect_inline(QueuedMessage& message,
                                                  std::optional<QueueManager::Admission> place) {
  // The inspection runs on its own; the session waits for it or for the client to leave.
  struct Shared {
    explicit Shared(runtime::Host& host) : signal(host) {}
    runtime::Timer signal;
    std::optional<InspectionOutcome> outcome;
    bool client_gone = false;
  };
  auto shared = std::make_shared<Shared>(context_.host);
  auto held = std::make_shared<QueuedMessage>(message);
  ServerContext& context = context_;
  auto inspection = [](ServerContext& ctx, std::shared_ptr<Shared> state,
                       std::shared_ptr<QueuedMessage> queued,
                       std::optional<QueueManager::Admission> kept) -> asio::awaitable<void> {
    InspectionOutcome result = co_await ctx.inspector.inspect(*queued);
    state->outcome = result;
    state->signal.cancel();
    if (state->client_gone) {
      // Nobody was told 250: nothing may stay queued (DESIGN: inline mode), neither the
      // message nor what its inspection made.
      ctx.spool.remove(queued->id());
      for (const QueuedMessage& companion : result.companions) {
        ctx.spool.remove(companion.id());
      }
      ctx.log.info("smtp.inline_abandoned", {{"queue_id", queued->id().text()}});
      co_return;
    }
    queued->record.state =
        result.result == InspectionResult::hold ? MessageState::held : MessageState::ready;
    ctx.spool.save_state(queued->record);
    ctx.queue.commit(*queued);
    kept.reset();  // the message counts itself now
    for (QueuedMessage& companion : result.companions) {
      ctx.queue.commit(std::move(companion));
    }
  };
  asio::co_spawn(context.host.executor(), inspection(context, shared, held, std::move(place)),
                 asio::detached);

  while (!shared->outcome) {
    shared->signal.expires_after(inline_wait_limit);
    runtime::error_code ec;
    auto waited =
        co_await (shared->signal.async_wait(asio::as_tuple(asio::use_awaitable)) ||
                  input_.fill(stream_, context_.host.clock().now() + inline_wait_limit, ec));
    if (waited.index() == 1 && std::get<1>(waited) == FillStatus::closed) {
      shared->client_gone = true;
      co_return false;
    }
  }
  co_return true;
}

asio::awaitable<SmtpSession::Next> SmtpSession::on_starttls() {
  if (tls_active_) {
    co_return co_await send(already_tls()) ? Next::go_on : Next::close;
  }
  if (context_.tls == nullptr) {
    co_return co_await send(smtp::replies::tls_not_available()) ? Next::go_on : Next::close;
  }
  if (!co_await send(smtp::replies::ready_to_start_tls())) {
    co_return Next::close;
  }

  // RFC 3207 4.2: nothing the client sent before the handshake may count afterwards.
  input_.clear();
  lines_ = smtp::LineReader(context_.config.limits.max_command_length_bytes,
                            smtp::LineEnding::crlf_only);

  runtime::Timer deadline(context_.host);
  deadline.expires_after(context_.config.limits.command_timeout);
  auto outcome =
      co_await (runtime::async_tls_handshake(context_.host, std::move(stream_), *context_.tls,
                                             runtime::TlsRole::server, std::string(),
                                             asio::as_tuple(asio::use_awaitable)) ||
                deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (outcome.index() != 0 || std::get<0>(std::get<0>(outcome))) {
    ++context_.metrics.tls_handshakes_inbound_failed_total;
    const std::string error =
        outcome.index() == 0 ? std::get<0>(std::get<0>(outcome)).message() : std::string("timeout");
    context_.log.warn("smtp.tls_failed", {{"session", session_id_}, {"error", error}});
    end_reason_ = "tls_failed";
    co_return Next::close;
  }
  stream_ = std::move(std::get<1>(std::get<0>(outcome)));
  ++context_.metrics.tls_handshakes_inbound_total;

  // RFC 3207 4.2: the session starts over; the client must say EHLO again.
  tls_active_ = true;
  helo_name_.reset();
  extended_ = false;
  reset_transaction();
  if (auto details = stream_.tls_details()) {
    tls_summary_ = details->version + " " + details->cipher;
  }
  context_.log.debug("smtp.tls", {{"session", session_id_}, {"tls", tls_summary_}});
  co_return Next::go_on;
}

void SmtpSession::reset_transaction() {
  mail_from_.reset();
  recipients_.clear();
  admission_.reset();
  bdat_.reset();  // a message still arriving in chunks is abandoned
}

void SmtpSession::log_summary() {
  std::string counts;
  for (const auto& [verb, count] : command_counts_) {
    if (!counts.empty()) {
      counts += ',';
    }
    counts += verb + ":" + std::to_string(count);
  }
  const auto duration = context_.host.clock().now() - started_;
  context_.log.info(
      "smtp.session",
      {{"session", session_id_},
       {"end", end_reason_},
       {"messages", messages_accepted_},
       {"tls", tls_active_},
       {"commands", counts},
       {"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(duration).count()}});
}

}  // namespace gateway
