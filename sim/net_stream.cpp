#include "sim/net_stream.hpp"

#include <cassert>
#include <string>
#include <utility>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>

#include "runtime/completion.hpp"
#include "sim/net_connection.hpp"
#include "sim/world.hpp"

namespace sim {

namespace asio = boost::asio;

namespace {

// Moves a stored handler out of its slot, leaving the slot empty for the next operation.
runtime::IoHandler take(std::optional<runtime::IoHandler>& stored) {
  runtime::IoHandler handler = std::move(*stored);
  stored.reset();
  return handler;
}

// Puts a stored handler in the graveyard without calling it.
void bury(std::optional<runtime::IoHandler>& stored, Graveyard& graveyard) {
  if (!stored) {
    return;
  }
  auto slot = asio::get_associated_cancellation_slot(*stored);
  if (slot.is_connected()) {
    slot.clear();
  }
  graveyard.bury(take(stored));
}

}  // namespace

SimStream::SimStream(Node& node, std::shared_ptr<Connection> connection, int side)
    : Resource(node), connection_(std::move(connection)), side_(side) {
  connection_->attach_stream(side_, *this);
}

SimStream::~SimStream() {
  // Like a socket: destroying it closes it, then the connection forgets this side.
  if (alive()) {
    close();
  }
  connection_->detach(side_);
}

asio::any_io_executor SimStream::executor() const {
  return node().executor();
}

void SimStream::read_some(asio::mutable_buffer buffer, runtime::IoHandler handler) {
  if (!alive()) {
    return;  // the node crashed: nothing it starts runs
  }
  assert(!read_handler_ && "one read at a time");

  // Closed streams and empty buffers answer at once.
  if (closed_) {
    runtime::post_completion(executor(), std::move(handler),
                             runtime::error_code(asio::error::bad_descriptor), std::size_t{0});
    return;
  }
  if (buffer.size() == 0) {
    runtime::post_completion(executor(), std::move(handler), runtime::error_code(), std::size_t{0});
    return;
  }

  // Otherwise the read takes what is there, or waits for it and may be cancelled.
  read_handler_.emplace(std::move(handler));
  read_buffer_ = buffer;
  if (try_read()) {
    return;
  }
  auto slot = asio::get_associated_cancellation_slot(*read_handler_);
  if (slot.is_connected()) {
    slot.assign([this](asio::cancellation_type) {
      if (read_handler_) {
        finish_read(asio::error::operation_aborted, 0);
      }
    });
  }
}

void SimStream::write_some(asio::const_buffer buffer, runtime::IoHandler handler) {
  if (!alive()) {
    return;
  }
  assert(!write_handler_ && "one write at a time");

  // Writes that cannot start answer at once.
  if (auto refusal = write_refusal(buffer.size())) {
    runtime::post_completion(executor(), std::move(handler), *refusal, std::size_t{0});
    return;
  }

  // The bytes go on the link now; the write completes when their transmission ends.
  const std::size_t bytes = buffer.size();
  const SimTime sent =
      connection_->send(side_, std::string(static_cast<const char*>(buffer.data()), bytes));
  if (sent <= node().world().now()) {
    runtime::post_completion(executor(), std::move(handler), runtime::error_code(), bytes);
    return;
  }

  // Until then the write is pending and may be cancelled.
  write_handler_.emplace(std::move(handler));
  write_bytes_ = bytes;
  write_event_ = node().world().scheduler().at(sent, [this] {
    write_event_ = 0;
    finish_write({}, write_bytes_);
  });
  auto slot = asio::get_associated_cancellation_slot(*write_handler_);
  if (slot.is_connected()) {
    slot.assign([this](asio::cancellation_type) {
      if (write_handler_) {
        finish_write(asio::error::operation_aborted, 0);
      }
    });
  }
}

void SimStream::shutdown_send() {
  if (!alive() || closed_ || connection_->end_sent(side_)) {
    return;
  }
  connection_->send_end(side_);
  record("net.shutdown");
}

void SimStream::close() {
  if (!alive() || closed_) {
    return;
  }
  closed_ = true;
  connection_->close(side_);
  record("net.close");

  // The closer's own pending operations end here.
  if (read_handler_) {
    finish_read(asio::error::operation_aborted, 0);
  }
  if (write_handler_) {
    finish_write(asio::error::operation_aborted, 0);
  }
}

runtime::Endpoint SimStream::local_endpoint() const {
  return connection_->local(side_);
}

runtime::Endpoint SimStream::remote_endpoint() const {
  return connection_->remote(side_);
}

void SimStream::abandon(Graveyard& graveyard) {
  if (write_event_ != 0) {
    node().world().scheduler().cancel(write_event_);
    write_event_ = 0;
  }
  bury(read_handler_, graveyard);
  bury(write_handler_, graveyard);

  // A crashed node's open connection resets at the peer one trip later.
  connection_->abort(side_);
}

void SimStream::on_arrival() {
  if (read_handler_) {
    try_read();
  }
  if (write_handler_ && connection_->is_reset(side_)) {
    finish_write(asio::error::connection_reset, 0);
  }
}

std::optional<runtime::error_code> SimStream::write_refusal(std::size_t bytes) const {
  if (closed_) {
    return asio::error::bad_descriptor;
  }
  if (bytes == 0) {
    return runtime::error_code();
  }
  if (connection_->is_reset(side_)) {
    return asio::error::connection_reset;
  }
  if (connection_->end_sent(side_)) {
    return asio::error::broken_pipe;
  }
  return std::nullopt;
}

bool SimStream::try_read() {
  if (connection_->available(side_) > 0) {
    finish_read({}, connection_->read(side_, read_buffer_));
  } else if (connection_->is_reset(side_)) {
    finish_read(asio::error::connection_reset, 0);
  } else if (connection_->end_received(side_)) {
    finish_read(asio::error::eof, 0);
  } else {
    return false;
  }
  return true;
}

void SimStream::finish_read(runtime::error_code ec, std::size_t bytes) {
  read_buffer_ = {};
  runtime::post_completion(executor(), take(read_handler_), ec, bytes);
}

void SimStream::finish_write(runtime::error_code ec, std::size_t bytes) {
  if (write_event_ != 0) {
    node().world().scheduler().cancel(write_event_);
    write_event_ = 0;
  }
  runtime::post_completion(executor(), take(write_handler_), ec, bytes);
}

void SimStream::record(std::string_view event) const {
  node().world().record(
      node().name(), event,
      {{"local", local_endpoint().to_string()}, {"remote", remote_endpoint().to_string()}});
}

}  // namespace sim
