#include "emulator_mock/service.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "emulator_mock/emulator.hpp"

namespace emulator_mock {

namespace asio = boost::asio;

namespace {

// When listening again after a refuse window fails (the port was taken meanwhile), the
// next attempt comes this much later.
constexpr std::chrono::seconds relisten_retry{1};

bool has_refuse_windows(const Behaviour& behaviour) {
  return std::any_of(behaviour.faults.begin(), behaviour.faults.end(),
                     [](const Fault& fault) { return fault.kind == FaultKind::refuse; });
}

}  // namespace

// ---- Emulator: the handle --------------------------------------------------------------

Emulator::Emulator(runtime::Host& host, Behaviour behaviour)
    : service_(std::make_shared<Service>(host, std::move(behaviour))) {}

Emulator::~Emulator() { service_->stop(); }

void Emulator::use_tls(runtime::TlsContext context) { service_->tls.emplace(std::move(context)); }

runtime::error_code Emulator::start(const runtime::Endpoint& address) {
  return service_->start(address);
}

void Emulator::stop() { service_->stop(); }

void Emulator::set_behaviour(Behaviour behaviour) { service_->set_behaviour(std::move(behaviour)); }

const Behaviour& Emulator::behaviour() const { return service_->behaviour(); }

void Emulator::reset() { service_->reset(); }

Counters Emulator::counters() const { return service_->counters(); }

runtime::Endpoint Emulator::local_endpoint() const { return service_->local_endpoint(); }

// ---- Service: life cycle ----------------------------------------------------------------

Service::Service(runtime::Host& host, Behaviour behaviour)
    : host_(host), behaviour_(std::move(behaviour)), random_(host.random("emulator")) {}

Service::~Service() = default;

runtime::error_code Service::start(const runtime::Endpoint& address) {
  BOOST_ASSERT(!started_);
  auto listener = host_.network().listen(address);
  if (!listener) {
    return listener.error();
  }
  started_ = true;
  started_at_ = host_.clock().now();
  listener_ = std::move(*listener);
  address_ = listener_.local_endpoint();
  listening_ = true;
  host_.events().record("emulator.listening", {{"address", address_.to_string()},
                                               {"tls", tls.has_value()}});
  asio::co_spawn(host_.executor(), accept_loop(shared_from_this(), listen_epoch_), asio::detached);
  supervise_listening();
  return {};
}

void Service::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  ++listen_epoch_;
  ++supervisor_epoch_;
  ++files_epoch_;
  listener_.close();
  listening_ = false;
  // Copies: a cancelled timer's or closed stream's coroutine withdraws its enrolment only
  // when it resumes, which is later, but the maps must not change under the loops.
  const auto timers = timers_;
  const auto streams = streams_;
  for (const auto& [id, timer] : timers) {
    timer->cancel();
  }
  for (const auto& [id, stream] : streams) {
    stream->close();
  }
}

void Service::set_behaviour(Behaviour behaviour) {
  const bool windows_changed = behaviour.faults != behaviour_.faults;
  behaviour_ = std::move(behaviour);
  host_.events().record("emulator.behaviour", {{"rules", behaviour_.rules.size()},
                                               {"faults", behaviour_.faults.size()},
                                               {"capacity", behaviour_.capacity}});
  pump();
  if (windows_changed && started_ && !stopped_) {
    supervise_listening();
  }
}

void Service::reset() {
  ++files_epoch_;
  files_.clear();
  waiting_.clear();
  running_ = 0;
  counters_ = Counters{};
  host_.events().record("emulator.reset", {});
}

Counters Service::counters() const {
  Counters snapshot = counters_;
  snapshot.emulations_running = running_;
  snapshot.emulations_waiting = waiting_.size();
  return snapshot;
}

std::uint64_t Service::max_body_bytes() const {
  // Room for the multipart framing and the request part around the largest file.
  return behaviour_.max_file_bytes + 64 * 1024;
}

std::chrono::milliseconds Service::elapsed() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(host_.clock().now() - started_at_);
}

// ---- Listening, and refusing during outage windows ---------------------------------------

bool Service::listen() {
  auto listener = host_.network().listen(address_);
  if (!listener) {
    host_.events().record("emulator.listen_failed", {{"address", address_.to_string()},
                                                     {"error", listener.error().message()}});
    return false;
  }
  listener_ = std::move(*listener);
  listening_ = true;
  ++listen_epoch_;
  host_.events().record("emulator.listening", {{"address", address_.to_string()},
                                               {"tls", tls.has_value()}});
  asio::co_spawn(host_.executor(), accept_loop(shared_from_this(), listen_epoch_), asio::detached);
  return true;
}

void Service::supervise_listening() {
  // A new supervisor replaces the old one, which notices the epoch when it wakes.
  ++supervisor_epoch_;
  if (supervisor_timer_ != nullptr) {
    supervisor_timer_->cancel();
    supervisor_timer_ = nullptr;
  }
  if (has_refuse_windows(behaviour_) || !listening_) {
    asio::co_spawn(host_.executor(), supervisor(shared_from_this(), supervisor_epoch_),
                   asio::detached);
  }
}

asio::awaitable<void> Service::supervisor(std::shared_ptr<Service> self, std::uint64_t epoch) {
  runtime::Timer timer(host_);
  Enrolment enrolled(*this, timer);
  while (!stopped_ && epoch == supervisor_epoch_) {
    // Refuse while any refuse window is open; listen again when none is.
    const auto now = elapsed();
    const bool refuse = std::any_of(behaviour_.faults.begin(), behaviour_.faults.end(),
                                    [&](const Fault& fault) {
                                      return fault.kind == FaultKind::refuse &&
                                             fault.active_at(now);
                                    });
    std::optional<std::chrono::milliseconds> next;
    if (refuse && listening_) {
      ++listen_epoch_;
      listener_.close();
      listening_ = false;
      ++counters_.faults_injected;
      ++counters_.faults_by_kind["refuse"];
      host_.events().record("emulator.fault", {{"kind", "refuse"}, {"request", "connect"}});
    } else if (!refuse && !listening_ && !listen()) {
      next = now + std::chrono::duration_cast<std::chrono::milliseconds>(relisten_retry);
    }

    // Sleep until the next window edge; with none ahead, this supervisor's work is done.
    for (const Fault& fault : behaviour_.faults) {
      if (fault.kind != FaultKind::refuse) {
        continue;
      }
      for (const auto& edge : {fault.from, fault.until}) {
        if (edge && *edge > now && (!next || *edge < *next)) {
          next = *edge;
        }
      }
    }
    if (!next) {
      co_return;
    }
    timer.expires_at(started_at_ + *next);
    supervisor_timer_ = &timer;
    runtime::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (supervisor_timer_ == &timer) {
      supervisor_timer_ = nullptr;
    }
  }
  (void)self;
}

asio::awaitable<void> Service::accept_loop(std::shared_ptr<Service> self, std::uint64_t epoch) {
  while (!stopped_ && epoch == listen_epoch_) {
    runtime::error_code ec;
    runtime::ByteStream stream =
        co_await listener_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || stopped_ || epoch != listen_epoch_) {
      co_return;
    }
    ++counters_.connections;
    asio::co_spawn(host_.executor(), serve_connection(self, std::move(stream)), asio::detached);
  }
}

// ---- Enrolment --------------------------------------------------------------------------

Service::Enrolment::Enrolment(Service& service, runtime::Timer& timer)
    : service_(service), id_(service.next_enrolment_++) {
  service_.timers_.emplace(id_, &timer);
}

Service::Enrolment::Enrolment(Service& service, runtime::ByteStream& stream)
    : service_(service), id_(service.next_enrolment_++) {
  service_.streams_.emplace(id_, &stream);
}

Service::Enrolment::~Enrolment() {
  service_.timers_.erase(id_);
  service_.streams_.erase(id_);
}

}  // namespace emulator_mock
