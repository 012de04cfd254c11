// One end of a simulated connection as its node's code sees it: the StreamImpl behind a
// runtime::ByteStream. It holds at most one pending read and one pending write, completes
// them through the node's executor, and honours their cancellation slots.
//
// Errors, as an Asio TCP socket reports them:
// - reads: eof after the peer's end of stream; connection_reset after a reset;
//   operation_aborted when cancelled or closed while pending; bad_descriptor after close();
// - writes: connection_reset after a reset; broken_pipe after shutdown_send();
//   operation_aborted when cancelled or closed while pending; bad_descriptor after close().
// An aborted write reports 0 bytes although its bytes were already handed to the link and
// still arrive: like a socket's send queue, the link cannot take them back.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include "runtime/stream.hpp"
#include "sim/node.hpp"
#include "sim/scheduler.hpp"

namespace sim {

class Connection;

class SimStream final : public runtime::StreamImpl, public Resource {
 public:
  SimStream(Node& node, std::shared_ptr<Connection> connection, int side);
  ~SimStream() override;

  // runtime::StreamImpl
  boost::asio::any_io_executor executor() const override;
  void read_some(boost::asio::mutable_buffer buffer, runtime::IoHandler handler) override;
  void write_some(boost::asio::const_buffer buffer, runtime::IoHandler handler) override;
  void shutdown_send() override;
  void close() override;
  runtime::Endpoint local_endpoint() const override;
  runtime::Endpoint remote_endpoint() const override;

  // Resource
  void abandon(Graveyard& graveyard) override;

  // The connection has news for this side: bytes, an end of stream, or a reset.
  void on_arrival();

 private:
  // Completes the pending read if anything is there for it; false if it must wait.
  bool try_read();
  // The answer a write of `bytes` gets without going on the link, if any.
  std::optional<runtime::error_code> write_refusal(std::size_t bytes) const;
  void finish_read(runtime::error_code ec, std::size_t bytes);
  void finish_write(runtime::error_code ec, std::size_t bytes);
  void record(std::string_view event) const;

  std::shared_ptr<Connection> connection_;
  int side_;
  bool closed_ = false;
  std::optional<runtime::IoHandler> read_handler_;  // emplaced, never assigned
  boost::asio::mutable_buffer read_buffer_;
  std::optional<runtime::IoHandler> write_handler_;  // emplaced, never assigned
  std::size_t write_bytes_ = 0;
  Scheduler::EventId write_event_ = 0;  // when the pending write's transmission ends
};

}  // namespace sim
