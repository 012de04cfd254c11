#include "sim/net_connection.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#include "sim/net_fabric.hpp"
#include "sim/net_stream.hpp"
#include "sim/world.hpp"

namespace sim {

// Read bytes are dropped from the front of an inbox once they are this many and more than
// half of it, so that a long transfer neither grows the inbox nor copies it per read.
constexpr std::size_t inbox_compact_bytes = 64 * 1024;

Connection::Connection(Fabric& fabric, Place client_place, Place server_place) : fabric_(fabric) {
  sides_[client].place = std::move(client_place);
  sides_[server].place = std::move(server_place);
  id_ = fabric_.enlist(*this);
}

Connection::~Connection() {
  // Every owner detaches before it lets go, so nothing is left in flight by now.
  assert(finished_ && "a side was released without detaching");
}

void Connection::attach_stream(int side, SimStream& stream) {
  assert(sides_[side].owned && sides_[side].stream == nullptr);
  sides_[side].stream = &stream;
}

void Connection::detach(int side) {
  Side& self = sides_[side];
  if (!self.owned) {
    return;
  }
  self.owned = false;
  self.stream = nullptr;

  // With both owners gone nobody can observe the connection any more.
  if (!sides_[1 - side].owned) {
    finish();
  }
}

void Connection::abort(int side) {
  const Side& self = sides_[side];
  if (self.owned && !self.closed && !self.reset) {
    send_reset(side);
  }
  detach(side);
}

SimTime Connection::send(int side, std::string bytes) {
  assert(!sides_[side].end_sent && !sides_[side].reset);
  return enqueue(side, Segment::Kind::data, std::move(bytes));
}

void Connection::send_end(int side) {
  Side& self = sides_[side];
  if (self.end_sent || self.reset) {
    return;
  }
  self.end_sent = true;
  enqueue(side, Segment::Kind::end, {});
}

void Connection::close(int side) {
  sides_[side].closed = true;
  send_end(side);
}

bool Connection::reset_both() {
  if (sides_[client].reset && sides_[server].reset) {
    return false;
  }

  // Both sides learn at once: the operator's reset is not a packet on the link.
  for (int side : {client, server}) {
    if (!sides_[side].reset) {
      reset_side(side);
    }
  }
  for (int side : {client, server}) {
    notify(side);
  }
  return true;
}

void Connection::release() {
  for (int from : {client, server}) {
    Flow& flow = flows_[from];
    if (!flow.held) {
      continue;
    }

    // Everything held arrives one trip after the heal, still in order.
    flow.held = false;
    const SimTime floor = fabric_.now() + fabric_.trip_delay(node(from), node(1 - from));
    for (Segment& segment : flow.queue) {
      segment.arrival = std::max(segment.arrival, floor);
    }
    flow.last_arrival = std::max(flow.last_arrival, floor);
    schedule(from);
  }
}

std::size_t Connection::available(int side) const {
  return sides_[side].inbox.size() - sides_[side].inbox_read;
}

std::size_t Connection::read(int side, boost::asio::mutable_buffer buffer) {
  Side& self = sides_[side];
  const std::size_t count = std::min(buffer.size(), available(side));
  std::memcpy(buffer.data(), self.inbox.data() + self.inbox_read, count);
  self.inbox_read += count;

  // Forget what was read, cheaply.
  if (self.inbox_read == self.inbox.size()) {
    self.inbox.clear();
    self.inbox_read = 0;
  } else if (self.inbox_read >= inbox_compact_bytes && 2 * self.inbox_read > self.inbox.size()) {
    self.inbox.erase(0, self.inbox_read);
    self.inbox_read = 0;
  }
  return count;
}

SimTime Connection::enqueue(int from, Segment::Kind kind, std::string bytes) {
  Flow& flow = flows_[from];
  const int to = 1 - from;

  // The bytes leave after what is ahead of them, at the link's bandwidth.
  const SimTime start = std::max(fabric_.now(), flow.transmit_end);
  const SimTime sent = start + fabric_.transmission_time(node(from), node(to), bytes.size());
  flow.transmit_end = sent;

  // They arrive a trip later, but never before bytes sent earlier: jitter cannot reorder.
  const SimTime arrival =
      std::max(sent + fabric_.trip_delay(node(from), node(to)), flow.last_arrival);
  flow.last_arrival = arrival;
  flow.queue.push_back(Segment{kind, sent, arrival, std::move(bytes)});
  schedule(from);
  return sent;
}

void Connection::send_reset(int side) {
  Side& self = sides_[side];
  if (self.reset_sent) {
    return;
  }
  self.reset_sent = true;

  // What had not finished leaving is lost, as a reset discards a socket's send queue.
  Flow& flow = flows_[side];
  const SimTime now = fabric_.now();
  while (!flow.queue.empty() && flow.queue.back().sent > now) {
    flow.queue.pop_back();
  }
  flow.transmit_end = std::min(flow.transmit_end, now);

  // The reset itself follows what was already on its way.
  SimTime arrival = now + fabric_.trip_delay(node(side), node(1 - side));
  if (!flow.queue.empty()) {
    arrival = std::max(arrival, flow.queue.back().arrival);
  }
  flow.last_arrival = arrival;
  flow.queue.push_back(Segment{Segment::Kind::reset, now, arrival, {}});
  schedule(side);
}

void Connection::schedule(int from) {
  Flow& flow = flows_[from];
  if (flow.event != 0 || flow.held || flow.queue.empty()) {
    return;
  }
  flow.event = fabric_.scheduler().at(flow.queue.front().arrival, [this, from] { on_due(from); });
}

void Connection::on_due(int from) {
  Flow& flow = flows_[from];
  flow.event = 0;

  // A partition holds the head, and so everything behind it, until the heal.
  if (fabric_.partitioned(node(client), node(server))) {
    flow.held = true;
    return;
  }

  // Deliver everything due now, in order, then wait for the next segment.
  while (!flow.queue.empty() && flow.queue.front().arrival <= fabric_.now()) {
    Segment segment = std::move(flow.queue.front());
    flow.queue.pop_front();
    deliver(1 - from, std::move(segment));
  }
  schedule(from);
}

void Connection::deliver(int to, Segment segment) {
  Side& self = sides_[to];
  if (self.reset) {
    return;  // a reset side has nothing more to learn
  }
  switch (segment.kind) {
    case Segment::Kind::data:
      // Bytes for a side nobody reads any more draw a reset, as a closed socket's do.
      if (!self.owned || self.closed) {
        send_reset(to);
        return;
      }
      self.inbox += segment.bytes;
      break;
    case Segment::Kind::end:
      self.end_received = true;
      break;
    case Segment::Kind::reset:
      reset_side(to);
      break;
  }
  notify(to);
}

void Connection::reset_side(int side) {
  Side& self = sides_[side];
  self.reset = true;
  self.inbox.clear();
  self.inbox_read = 0;
  drop_flow(side);
  if (self.owned && !self.closed) {
    fabric_.world().record(
        node(side), "net.reset",
        {{"local", local(side).to_string()}, {"remote", remote(side).to_string()}});
  }
}

void Connection::drop_flow(int from) {
  Flow& flow = flows_[from];
  if (flow.event != 0) {
    fabric_.scheduler().cancel(flow.event);
    flow.event = 0;
  }
  flow.queue.clear();
  flow.held = false;
}

void Connection::notify(int side) {
  if (sides_[side].stream != nullptr) {
    sides_[side].stream->on_arrival();
  }
}

void Connection::finish() {
  drop_flow(client);
  drop_flow(server);
  fabric_.delist(id_);
  finished_ = true;
}

}  // namespace sim
