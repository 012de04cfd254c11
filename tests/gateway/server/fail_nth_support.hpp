// Fault injection for fail-nth matrices over the inbound SMTP session.
//
// The gateway gets the world through a Host. FaultyHost hands the gateway the simulated
// node's Host unchanged except for two things: its Network wraps every accepted connection
// in a FaultyStream, which counts the session's reads and writes and makes the planned one
// fail; and its EventSink notes which write carries a "250 ... queued" reply, so that a
// test can tell the one failure after which a committed message may be queued although
// the client never saw its 250. The wrapper sits under TLS: a STARTTLS session's
// handshake and records are counted and failed like plaintext.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "runtime/completion.hpp"
#include "runtime/host.hpp"
#include "runtime/tls.hpp"
#include "tests/gateway/server/server_fixture.hpp"

namespace fail_nth_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

enum class Op { read, write };

inline const char* op_name(Op op) {
  return op == Op::read ? "read" : "write";
}

// Which operation fails and how. A read may fail with connection_reset or end with eof;
// a write fails with connection_reset.
struct FaultPlan {
  Op op = Op::read;
  std::size_t nth = 0;  // 1-based, counted over every stream the network hands out
  runtime::error_code error;
};

// What the streams of one gateway share: the plan, the counts and the evidence.
struct FaultBook {
  std::optional<FaultPlan> plan;
  std::size_t reads = 0;   // reads started
  std::size_t writes = 0;  // writes started
  bool fired = false;      // the planned operation was reached and failed
  std::size_t streams_made = 0;
  std::size_t streams_alive = 0;

  // The queued-reply tagging: the session records its reply as an event just before it
  // writes it, so the next write after a "250 ... queued" event carries that reply.
  std::size_t queued_replies = 0;  // "queued" replies the session meant to send
  bool queued_reply_pending = false;
  std::map<std::size_t, std::size_t> queued_reply_writes;  // write number -> message number

  // The error operation `number` of kind `op` completes with, if it must fail. After a
  // reset every later operation fails too, as on a real socket; after an injected end of
  // stream every later read ends the same way and writes go on (a half-close).
  std::optional<runtime::error_code> failure_for(Op op, std::size_t number) {
    if (fired) {
      if (plan->error == asio::error::eof) {
        return op == Op::read ? std::optional(plan->error) : std::nullopt;
      }
      return plan->error;
    }
    if (plan && plan->op == op && plan->nth == number) {
      fired = true;
      return plan->error;
    }
    return std::nullopt;
  }
};

// A stream that counts its operations in the book and fails the planned one without
// passing it on: a failed read takes no bytes from the connection, a failed write puts
// none on it.
class FaultyStream final : public runtime::StreamImpl {
 public:
  FaultyStream(std::unique_ptr<runtime::StreamImpl> inner, std::shared_ptr<FaultBook> book)
      : inner_(std::move(inner)), book_(std::move(book)) {
    ++book_->streams_made;
    ++book_->streams_alive;
  }
  ~FaultyStream() override { --book_->streams_alive; }
  FaultyStream(const FaultyStream&) = delete;
  FaultyStream& operator=(const FaultyStream&) = delete;

  asio::any_io_executor executor() const override { return inner_->executor(); }

  void read_some(asio::mutable_buffer buffer, runtime::IoHandler handler) override {
    const std::size_t number = ++book_->reads;
    if (auto failure = book_->failure_for(Op::read, number)) {
      runtime::post_completion(executor(), std::move(handler), *failure, std::size_t{0});
      return;
    }
    inner_->read_some(buffer, std::move(handler));
  }

  void write_some(asio::const_buffer buffer, runtime::IoHandler handler) override {
    const std::size_t number = ++book_->writes;
    if (book_->queued_reply_pending) {
      book_->queued_reply_pending = false;
      book_->queued_reply_writes[number] = book_->queued_replies;
    }
    if (auto failure = book_->failure_for(Op::write, number)) {
      runtime::post_completion(executor(), std::move(handler), *failure, std::size_t{0});
      return;
    }
    inner_->write_some(buffer, std::move(handler));
  }

  void shutdown_send() override { inner_->shutdown_send(); }
  void close() override { inner_->close(); }
  runtime::Endpoint local_endpoint() const override { return inner_->local_endpoint(); }
  runtime::Endpoint remote_endpoint() const override { return inner_->remote_endpoint(); }

 private:
  std::unique_ptr<runtime::StreamImpl> inner_;
  std::shared_ptr<FaultBook> book_;
};

// Hands out the inner listener's connections wrapped in FaultyStream.
class FaultyListener final : public runtime::ListenerImpl {
 public:
  FaultyListener(runtime::Listener inner, std::shared_ptr<FaultBook> book)
      : inner_(std::move(inner)), book_(std::move(book)) {}

  void accept(runtime::StreamHandler handler) override {
    // The server's cancellation reaches the inner accept unchanged.
    auto slot = asio::get_associated_cancellation_slot(handler);
    inner_.async_accept(asio::bind_cancellation_slot(
        slot, [handler = std::move(handler), book = book_](runtime::error_code ec,
                                                           runtime::ByteStream stream) mutable {
          if (!ec) {
            stream = runtime::ByteStream(std::make_unique<FaultyStream>(stream.release(), book));
          }
          std::move(handler)(ec, std::move(stream));
        }));
  }
  void close() override { inner_.close(); }
  runtime::Endpoint local_endpoint() const override { return inner_.local_endpoint(); }

 private:
  runtime::Listener inner_;
  std::shared_ptr<FaultBook> book_;
};

class FaultyNetwork final : public runtime::Network {
 public:
  FaultyNetwork(runtime::Network& inner, std::shared_ptr<FaultBook> book)
      : inner_(inner), book_(std::move(book)) {}

  runtime::Result<runtime::Listener> listen(const runtime::Endpoint& address) override {
    auto listener = inner_.listen(address);
    if (!listener) {
      return listener.error();
    }
    return runtime::Listener(std::make_unique<FaultyListener>(std::move(*listener), book_));
  }
  void connect(const runtime::Endpoint& address, runtime::StreamHandler handler) override {
    inner_.connect(address, std::move(handler));
  }

 private:
  runtime::Network& inner_;
  std::shared_ptr<FaultBook> book_;
};

// Passes events on and notes each "250 ... queued" reply the session is about to write.
class TaggingEvents final : public runtime::EventSink {
 public:
  TaggingEvents(runtime::EventSink& inner, FaultBook& book) : inner_(inner), book_(book) {}
  using runtime::EventSink::record;
  void record(std::string_view event, std::span<const runtime::Field> fields) override {
    if (event == "smtp.reply" && is_queued_reply(fields)) {
      ++book_.queued_replies;
      book_.queued_reply_pending = true;
    }
    inner_.record(event, fields);
  }

 private:
  static bool is_queued_reply(std::span<const runtime::Field> fields) {
    bool ok = false;
    bool queued = false;
    for (const runtime::Field& field : fields) {
      if (field.key == "code") {
        const auto* code = std::get_if<std::int64_t>(&field.value);
        ok = code != nullptr && *code == 250;
      }
      if (field.key == "text") {
        const auto* text = std::get_if<std::string_view>(&field.value);
        queued = text != nullptr && text->find("queued") != std::string_view::npos;
      }
    }
    return ok && queued;
  }

  runtime::EventSink& inner_;
  FaultBook& book_;
};

// The node's Host with the faulty network and the tagging events.
class FaultyHost final : public runtime::Host {
 public:
  FaultyHost(runtime::Host& inner, std::shared_ptr<FaultBook> book)
      : inner_(inner), network_(inner.network(), book), events_(inner.events(), *book) {}

  std::string_view name() const override { return inner_.name(); }
  asio::any_io_executor executor() const override { return inner_.executor(); }
  const runtime::Clock& clock() const override { return inner_.clock(); }
  std::unique_ptr<runtime::TimerImpl> make_timer() override { return inner_.make_timer(); }
  runtime::Network& network() override { return network_; }
  runtime::Storage& storage() override { return inner_.storage(); }
  runtime::Random random(std::string_view component) override { return inner_.random(component); }
  runtime::EventSink& events() override { return events_; }

 private:
  runtime::Host& inner_;
  FaultyNetwork network_;
  TaggingEvents events_;
};

// One gateway process on the faulty host. The host is declared first so that it outlives
// the parts that keep a reference to it.
struct FaultyGateway {
  FaultyGateway(runtime::Host& node, std::shared_ptr<FaultBook> book, const gateway::Config& config,
                std::vector<server_test::Delivered>& log, runtime::TlsContext* tls)
      : host(node, std::move(book)), process(host, config, log, tls, runtime::Duration{}) {}

  FaultyHost host;
  server_test::GatewayProcess process;
};

// One message of a session: its envelope commands and its content as sent (dot-stuffed,
// with the terminator) and as it must arrive (unstuffed, without it).
struct Message {
  std::string envelope;
  std::string sent;
  std::string expected_content;
};

// A message whose content spans several of the session's 16 KiB reads, with a line that
// needs dot-stuffing, so failures land inside DATA and the unstuffing is checked too.
inline Message make_message(int number, std::size_t filler_lines) {
  const std::string tag = std::to_string(number);
  std::string body = "Subject: message " + tag + "\r\n\r\n";
  for (std::size_t line = 0; line < filler_lines; ++line) {
    body += "message " + tag + " line " + std::to_string(line) +
            " ..........................................................\r\n";
  }
  Message message;
  message.envelope =
      "MAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob" + tag + "@corp.example>\r\n";
  message.expected_content = body + ".leading dot\r\nlast line of " + tag + "\r\n";
  message.sent = body + "..leading dot\r\nlast line of " + tag + "\r\n.\r\n";
  return message;
}

// What the client sent and saw.
struct ClientLog {
  std::vector<int> codes;          // final reply codes, in order
  std::vector<std::string> lines;  // final reply lines, in order
  bool done = false;
  bool tls_failed = false;
};

// One client step: bytes to send, final replies to read, then a TLS handshake if asked.
struct ClientStep {
  std::string send;
  std::size_t replies = 1;
  bool then_tls = false;
};

// The client's view of the server's bytes: final reply lines ("250 ..." rather than
// "250-...") go to the log as they complete.
struct ReplyParser {
  std::string received;
  std::size_t parsed = 0;

  void take(std::string_view bytes, ClientLog& log) {
    received.append(bytes);
    for (auto end = received.find("\r\n", parsed); end != std::string::npos;
         end = received.find("\r\n", parsed)) {
      const std::string line = received.substr(parsed, end - parsed);
      parsed = end + 2;
      if (line.size() >= 4 && line[3] == ' ') {
        log.codes.push_back(std::stoi(line.substr(0, 3)));
        log.lines.push_back(line);
      }
    }
  }
};

// Reads until the log holds `wanted` final replies; false if the stream ended first.
inline asio::awaitable<bool> read_replies(runtime::ByteStream& stream, ReplyParser& parser,
                                          ClientLog& log, std::size_t wanted) {
  char buffer[4096];
  while (log.codes.size() < wanted) {
    auto [ec, count] =
        co_await stream.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    parser.take(std::string_view(buffer, count), log);
    if (ec) {
      co_return log.codes.size() >= wanted;
    }
  }
  co_return true;
}

// Reads the greeting, then sends the steps in order, each after the previous step's
// replies, and stops at the first error: a refused write, a read that ends, a failed
// handshake. The client keeps no timers: a server that neither answers nor closes shows
// as a conversation that never ends.
inline asio::awaitable<void> run_client(runtime::Host& host, std::vector<ClientStep> steps,
                                        std::shared_ptr<ClientLog> log) {
  const runtime::Endpoint server{server_test::gateway_address, 25};
  auto [connect_error, stream] =
      co_await runtime::async_connect(host.network(), server, asio::as_tuple(asio::use_awaitable));
  if (connect_error) {
    log->done = true;
    co_return;
  }
  auto client_tls = runtime::TlsContext::client_encrypt_only().value();
  ReplyParser parser;
  std::size_t wanted = 1;  // the greeting

  bool open = co_await read_replies(stream, parser, *log, wanted);
  for (const ClientStep& step : steps) {
    if (!open) {
      break;
    }
    auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(step.send),
                                                             asio::as_tuple(asio::use_awaitable));
    (void)written;
    if (write_error) {
      break;
    }
    wanted += step.replies;
    open = co_await read_replies(stream, parser, *log, wanted);
    if (open && step.then_tls) {
      if (log->codes.back() != 220) {
        break;
      }
      auto [tls_error, secured] = co_await runtime::async_tls_handshake(
          host, std::move(stream), client_tls, runtime::TlsRole::client, "gw.example.net",
          asio::as_tuple(asio::use_awaitable));
      if (tls_error) {
        log->tls_failed = true;
        break;
      }
      stream = std::move(secured);
      parser = ReplyParser{};
    }
  }
  if (stream.is_open()) {
    stream.close();
  }
  log->done = true;
}

}  // namespace fail_nth_test
