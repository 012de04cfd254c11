#include "sim/net_connect.hpp"

#include <cassert>
#include <utility>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>

#include "runtime/completion.hpp"
#include "sim/net_connection.hpp"
#include "sim/net_fabric.hpp"
#include "sim/net_listener.hpp"
#include "sim/net_stream.hpp"
#include "sim/world.hpp"

namespace sim {

namespace asio = boost::asio;

ConnectOp::ConnectOp(Node& node, Fabric& fabric, std::uint64_t id, runtime::Endpoint from,
                     runtime::Endpoint to, Node* target, runtime::StreamHandler handler)
    : Resource(node),
      fabric_(fabric),
      id_(id),
      from_(std::move(from)),
      to_(std::move(to)),
      target_(target) {
  handler_.emplace(std::move(handler));
}

ConnectOp::~ConnectOp() {
  // The fabric destroys a connect only once it finished or was abandoned.
  assert(!handler_ && trip_event_ == 0 && timeout_event_ == 0);
}

void ConnectOp::start() {
  node().world().record(node().name(), "net.connect",
                        {{"from", from_.to_string()}, {"to", to_.to_string()}});

  // The timeout bounds the whole handshake, whatever happens to its trips.
  timeout_event_ = fabric_.scheduler().after(fabric_.connect_timeout(), [this] {
    timeout_event_ = 0;
    on_timeout();
  });
  auto slot = asio::get_associated_cancellation_slot(*handler_);
  if (slot.is_connected()) {
    slot.assign([this](asio::cancellation_type) {
      record_failure("operation_aborted");
      finish(asio::error::operation_aborted, {});
    });
  }

  // An address nobody has answers nothing.
  if (target_ != nullptr) {
    travel(Trip::request);
  }
}

void ConnectOp::on_heal(std::string_view a, std::string_view b) {
  if (!held_) {
    return;
  }
  const std::string_view self = node().name();
  if ((self == a && target_->name() == b) || (self == b && target_->name() == a)) {
    travel(trip_);
  }
}

void ConnectOp::abandon(Graveyard& graveyard) {
  cancel_events();
  auto slot = asio::get_associated_cancellation_slot(*handler_);
  if (slot.is_connected()) {
    slot.clear();
  }
  graveyard.bury(std::move(*handler_));
  handler_.reset();

  // A handshake the server already took is reset there, as for any crashed connection.
  if (connection_) {
    connection_->abort(Connection::client);
    connection_.reset();
  }
  fabric_.bury(*this, graveyard);
}

void ConnectOp::travel(Trip trip) {
  trip_ = trip;
  held_ = false;
  const bool outward = trip == Trip::request;
  const std::string_view from = outward ? node().name() : target_->name();
  const std::string_view to = outward ? target_->name() : node().name();
  trip_event_ = fabric_.scheduler().after(fabric_.trip_delay(from, to), [this] {
    trip_event_ = 0;
    arrive();
  });
}

void ConnectOp::arrive() {
  // A partition holds the trip where it is until the heal.
  if (fabric_.partitioned(node().name(), target_->name())) {
    held_ = true;
    return;
  }
  switch (trip_) {
    case Trip::request:
      on_request();
      return;
    case Trip::refusal:
      node().world().record(node().name(), "net.refused",
                            {{"from", from_.to_string()}, {"to", to_.to_string()}});
      finish(asio::error::connection_refused, {});
      return;
    case Trip::acceptance: {
      // The stream takes over the client side from this connect.
      auto stream = std::make_unique<SimStream>(node(), std::move(connection_), Connection::client);
      node().world().record(node().name(), "net.connected",
                            {{"local", from_.to_string()}, {"remote", to_.to_string()}});
      finish({}, runtime::ByteStream(std::move(stream)));
      return;
    }
  }
}

void ConnectOp::on_request() {
  // A machine that is down, or a listener whose backlog is full, answers nothing.
  if (!target_->up()) {
    return;
  }
  SimListener* listener = fabric_.find_listener(*target_, to_);
  if (listener != nullptr && listener->backlog_full()) {
    return;
  }

  // Without a listener the answer is a refusal; with one, the connection exists from now.
  if (listener == nullptr) {
    travel(Trip::refusal);
    return;
  }
  connection_ =
      std::make_shared<Connection>(fabric_, Connection::Place{std::string(node().name()), from_},
                                   Connection::Place{std::string(target_->name()), to_});
  listener->offer(connection_);
  travel(Trip::acceptance);
}

void ConnectOp::on_timeout() {
  const bool known = target_ != nullptr;
  record_failure(known ? "timed_out" : "host_unreachable");
  finish(known ? asio::error::timed_out : asio::error::host_unreachable, {});
}

void ConnectOp::finish(runtime::error_code ec, runtime::ByteStream stream) {
  cancel_events();

  // A handshake abandoned after the server took it resets the server's end.
  if (connection_) {
    connection_->abort(Connection::client);
    connection_.reset();
  }
  runtime::StreamHandler handler = std::move(*handler_);
  handler_.reset();
  runtime::post_completion(node().executor(), std::move(handler), ec, std::move(stream));
  fabric_.forget(*this);
}

void ConnectOp::cancel_events() {
  for (Scheduler::EventId* event : {&trip_event_, &timeout_event_}) {
    if (*event != 0) {
      fabric_.scheduler().cancel(*event);
      *event = 0;
    }
  }
}

void ConnectOp::record_failure(std::string_view reason) const {
  node().world().record(node().name(), "net.connect_failed",
                        {{"from", from_.to_string()}, {"to", to_.to_string()}, {"error", reason}});
}

}  // namespace sim
