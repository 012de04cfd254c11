#include "sim/net_listener.hpp"

#include <cassert>
#include <utility>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>

#include "runtime/completion.hpp"
#include "sim/net_connection.hpp"
#include "sim/net_fabric.hpp"
#include "sim/net_stream.hpp"
#include "sim/world.hpp"

namespace sim {

namespace asio = boost::asio;

SimListener::SimListener(Node& node, Fabric& fabric, runtime::Endpoint bound)
    : Resource(node), fabric_(fabric), bound_(std::move(bound)) {}

SimListener::~SimListener() {
  if (alive()) {
    close();
  }
}

void SimListener::accept(runtime::StreamHandler handler) {
  if (!alive()) {
    return;  // the node crashed: nothing it starts runs
  }
  assert(!handler_ && "one accept at a time");

  // A closed listener answers at once; a waiting handshake is taken at once.
  if (closed_) {
    runtime::post_completion(node().executor(), std::move(handler),
                             runtime::error_code(asio::error::bad_descriptor),
                             runtime::ByteStream());
    return;
  }
  if (!backlog_.empty()) {
    std::shared_ptr<Connection> connection = std::move(backlog_.front());
    backlog_.pop_front();
    hand_over(std::move(handler), std::move(connection));
    return;
  }

  // Otherwise the accept waits and may be cancelled.
  handler_.emplace(std::move(handler));
  auto slot = asio::get_associated_cancellation_slot(*handler_);
  if (slot.is_connected()) {
    slot.assign([this](asio::cancellation_type) {
      if (handler_) {
        complete(asio::error::operation_aborted);
      }
    });
  }
}

void SimListener::close() {
  if (!alive() || closed_) {
    return;
  }
  stop();
  if (handler_) {
    complete(asio::error::operation_aborted);
  }
}

void SimListener::abandon(Graveyard& graveyard) {
  if (handler_) {
    auto slot = asio::get_associated_cancellation_slot(*handler_);
    if (slot.is_connected()) {
      slot.clear();
    }
    graveyard.bury(std::move(*handler_));
    handler_.reset();
  }
  if (!closed_) {
    stop();
  }
}

void SimListener::offer(std::shared_ptr<Connection> connection) {
  assert(!closed_ && !backlog_full());
  if (!handler_) {
    backlog_.push_back(std::move(connection));
    return;
  }
  runtime::StreamHandler handler = std::move(*handler_);
  handler_.reset();
  hand_over(std::move(handler), std::move(connection));
}

void SimListener::hand_over(runtime::StreamHandler handler,
                            std::shared_ptr<Connection> connection) {
  auto stream = std::make_unique<SimStream>(node(), std::move(connection), Connection::server);
  node().world().record(node().name(), "net.accept",
                        {{"local", stream->local_endpoint().to_string()},
                         {"remote", stream->remote_endpoint().to_string()}});
  runtime::post_completion(node().executor(), std::move(handler), runtime::error_code(),
                           runtime::ByteStream(std::move(stream)));
}

void SimListener::complete(runtime::error_code ec) {
  runtime::StreamHandler handler = std::move(*handler_);
  handler_.reset();
  runtime::post_completion(node().executor(), std::move(handler), ec, runtime::ByteStream());
}

void SimListener::stop() {
  closed_ = true;
  fabric_.unlisten(*this);
  node().world().record(node().name(), "net.unlisten", {{"address", bound_.to_string()}});

  // Handshakes nobody accepted are reset, as a closed listening socket resets them.
  while (!backlog_.empty()) {
    std::shared_ptr<Connection> connection = std::move(backlog_.front());
    backlog_.pop_front();
    connection->abort(Connection::server);
  }
}

}  // namespace sim
