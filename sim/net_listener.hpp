// A simulated listening socket: the ListenerImpl behind a runtime::Listener. Handshakes
// that reach it wait in its backlog until accepted; at most one accept is pending and it
// honours its cancellation slot.
//
// Errors: operation_aborted when a pending accept is cancelled or the listener closed;
// bad_descriptor for an accept after close(). Closing (or the node crashing) frees the
// port and resets the connections still in the backlog.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>

#include "runtime/network.hpp"
#include "sim/node.hpp"

namespace sim {

class Connection;
class Fabric;

// Handshakes a listener holds unaccepted at most; more go unanswered, like a full queue.
inline constexpr std::size_t listen_backlog_max = 4096;

class SimListener final : public runtime::ListenerImpl, public Resource {
 public:
  SimListener(Node& node, Fabric& fabric, runtime::Endpoint bound);
  ~SimListener() override;

  // runtime::ListenerImpl
  void accept(runtime::StreamHandler handler) override;
  void close() override;
  runtime::Endpoint local_endpoint() const override { return bound_; }

  // Resource
  void abandon(Graveyard& graveyard) override;

  bool backlog_full() const { return backlog_.size() >= listen_backlog_max; }
  // A handshake reached this listener: a pending accept takes it, or it waits.
  void offer(std::shared_ptr<Connection> connection);

 private:
  // Gives `connection` to the application as the server end's stream.
  void hand_over(runtime::StreamHandler handler, std::shared_ptr<Connection> connection);
  void complete(runtime::error_code ec);
  // Stops listening: frees the port and resets what the backlog still holds.
  void stop();

  Fabric& fabric_;
  runtime::Endpoint bound_;
  bool closed_ = false;
  std::deque<std::shared_ptr<Connection>> backlog_;
  std::optional<runtime::StreamHandler> handler_;  // emplaced, never assigned
};

}  // namespace sim
