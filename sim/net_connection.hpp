// One simulated TCP connection between two sides: the client (side 0, which connected)
// and the server (side 1, which was accepted). Each side's bytes travel to the other in a
// Flow, in order, timed by the link (see sim/network.hpp), and wait in the receiver's
// inbox until its stream reads them. Ends of stream and resets travel the same way.
//
// A side is owned first by a connect in progress (client) or a listener's backlog
// (server), then by its stream. The connection lives while either side is owned; when
// both owners are gone it cancels what is still in flight and leaves the fabric.
//
// TODO: receive windows are not modelled: a peer that stops reading never stalls the
// writer, so a sender held up by a slow reader cannot be shown and an inbox may grow
// without bound.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include <boost/asio/buffer.hpp>

#include "runtime/endpoint.hpp"
#include "sim/scheduler.hpp"

namespace sim {

class Fabric;
class SimStream;

class Connection {
 public:
  static constexpr int client = 0;
  static constexpr int server = 1;

  struct Place {
    std::string node;         // the node's name
    runtime::Endpoint local;  // the side's own address as its stream reports it
  };

  Connection(Fabric& fabric, Place client_place, Place server_place);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  std::uint64_t id() const { return id_; }
  const std::string& node(int side) const { return sides_[side].place.node; }
  const runtime::Endpoint& local(int side) const { return sides_[side].place.local; }
  const runtime::Endpoint& remote(int side) const { return local(1 - side); }

  // A stream takes over a side from its first owner.
  void attach_stream(int side, SimStream& stream);
  // The side's owner is gone. Bytes that still arrive for it are answered with a reset.
  void detach(int side);
  // The side's owner goes away without closing (a crash, an abandoned handshake): the peer
  // learns it from a reset one trip later, then the side is detached.
  void abort(int side);

  // Queues `bytes` from `side`; returns when their transmission ends.
  SimTime send(int side, std::string bytes);
  // Queues an end of stream from `side` after everything it sent (once).
  void send_end(int side);
  // The side's application closed it: end of stream, and later bytes draw a reset.
  void close(int side);
  // Both sides fail with connection_reset now; false if both already had.
  bool reset_both();
  // The link between the two nodes healed: held bytes go on, one trip from now.
  void release();

  // What `side` has received and not read yet.
  std::size_t available(int side) const;
  // Moves up to buffer.size() received bytes into `buffer`; returns how many.
  std::size_t read(int side, boost::asio::mutable_buffer buffer);
  bool end_received(int side) const { return sides_[side].end_received; }
  bool end_sent(int side) const { return sides_[side].end_sent; }
  bool is_reset(int side) const { return sides_[side].reset; }

 private:
  struct Segment {
    enum class Kind { data, end, reset };
    Kind kind;
    SimTime sent;     // when its transmission ends
    SimTime arrival;  // when it reaches the other side
    std::string bytes;
  };

  // One direction: what a side sent that has not arrived yet.
  struct Flow {
    std::deque<Segment> queue;  // in arrival order
    SimTime transmit_end{0};    // when the link is free again in this direction
    SimTime last_arrival{0};    // nothing later may arrive earlier than this
    Scheduler::EventId event = 0;
    bool held = false;  // the head reached a partition: everything waits for the heal
  };

  struct Side {
    Place place;
    SimStream* stream = nullptr;
    bool owned = true;
    bool closed = false;
    bool end_sent = false;
    bool end_received = false;
    bool reset = false;
    bool reset_sent = false;
    std::string inbox;
    std::size_t inbox_read = 0;  // bytes of `inbox` already read
  };

  SimTime enqueue(int from, Segment::Kind kind, std::string bytes);
  // Sends a reset from `side`, dropping what it had not finished transmitting.
  void send_reset(int side);
  void schedule(int from);
  void on_due(int from);
  void deliver(int to, Segment segment);
  // Marks `side` reset: its inbox and its outgoing bytes are dropped.
  void reset_side(int side);
  void drop_flow(int from);
  void notify(int side);
  void finish();

  Fabric& fabric_;
  std::uint64_t id_ = 0;
  std::array<Side, 2> sides_;
  std::array<Flow, 2> flows_;  // flows_[s] carries side s's bytes to the other side
  bool finished_ = false;
};

}  // namespace sim
