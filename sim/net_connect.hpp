// One connect() in progress: the handshake's two trips across the link, raced against the
// connect timeout. The first trip reaches the target node: a listener there takes the
// connection into its backlog and the second trip brings the acceptance back (one round
// trip in all); with no listener the second trip brings a refusal. A trip that meets a
// partition waits for the heal and then travels again. A target that is down, or a full
// backlog, answers nothing, and the timeout decides.
//
// Errors: connection_refused, timed_out, host_unreachable (no node has the address),
// operation_aborted (cancelled through the handler's cancellation slot).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "runtime/network.hpp"
#include "sim/node.hpp"
#include "sim/scheduler.hpp"

namespace sim {

class Connection;
class Fabric;

class ConnectOp final : public Resource {
 public:
  // `target` is null when no node has the address connected to.
  ConnectOp(Node& node, Fabric& fabric, std::uint64_t id, runtime::Endpoint from,
            runtime::Endpoint to, Node* target, runtime::StreamHandler handler);
  ~ConnectOp() override;

  std::uint64_t id() const { return id_; }

  void start();
  // The link between `a` and `b` healed: a trip waiting for it travels again.
  void on_heal(std::string_view a, std::string_view b);

  // Resource
  void abandon(Graveyard& graveyard) override;

 private:
  enum class Trip { request, refusal, acceptance };

  void travel(Trip trip);
  void arrive();
  void on_request();
  void on_timeout();
  // Completes the connect; the fabric then destroys this object, so nothing may follow.
  void finish(runtime::error_code ec, runtime::ByteStream stream);
  void cancel_events();
  void record_failure(std::string_view reason) const;

  Fabric& fabric_;
  std::uint64_t id_;
  runtime::Endpoint from_;
  runtime::Endpoint to_;
  Node* target_;
  std::optional<runtime::StreamHandler> handler_;  // emplaced, never assigned
  Trip trip_ = Trip::request;
  bool held_ = false;  // the trip met a partition and waits for the heal
  Scheduler::EventId trip_event_ = 0;
  Scheduler::EventId timeout_event_ = 0;
  std::shared_ptr<Connection> connection_;  // once a listener took the handshake
};

}  // namespace sim
