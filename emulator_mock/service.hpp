// Internal to the emulator library: the state behind an Emulator, shared with the
// coroutines that serve connections and run emulations so that it outlives the handle
// until the last of them has finished. Split by concern over service.cpp (listening and
// life cycle), emulations.cpp (the file table and capacity), api.cpp (answers and faults)
// and connection.cpp (HTTP over the seam's streams).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "emulator_mock/behaviour.hpp"
#include "emulator_mock/counters.hpp"
#include "runtime/host.hpp"
#include "runtime/tls.hpp"

namespace emulator_mock {

// One HTTP request as the handlers see it; the HTTP library stays in connection.cpp.
struct HttpRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
};

// What to send back, and how: faults change the manner as well as the content.
struct Reply {
  enum class Delivery {
    whole,     // the whole answer
    hang,      // nothing, until the client gives up or `hang_for` passes
    truncate,  // the head and half the body, then the connection is dropped
    trickle,   // the head, then the body `chunk_bytes` at a time, `interval` apart
  };

  int http_status = 200;
  std::optional<StatusCode> code;  // the API status inside, for counting
  std::string content_type = "application/json";
  std::string body;
  Delivery delivery = Delivery::whole;
  std::size_t chunk_bytes = 16;
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds hang_for{0};
};

// "HTTP/1.1 N Reason" and the headers for `reply`, up to and including the blank line.
std::string reply_head(const Reply& reply, bool keep_alive);

class Service : public std::enable_shared_from_this<Service> {
 public:
  Service(runtime::Host& host, Behaviour behaviour);
  ~Service();

  // Life cycle (service.cpp).
  runtime::error_code start(const runtime::Endpoint& address);
  void stop();
  void set_behaviour(Behaviour behaviour);
  void reset();

  // Answers one request (api.cpp).
  Reply handle(const HttpRequest& request);

  runtime::Host& host() { return host_; }
  const Behaviour& behaviour() const { return behaviour_; }
  Counters counters() const;
  runtime::Endpoint local_endpoint() const { return address_; }
  std::uint64_t max_body_bytes() const;
  bool stopped() const { return stopped_; }

  std::optional<runtime::TlsContext> tls;

  // Registration of what stop() must interrupt: timers are cancelled, streams closed.
  class Enrolment {
   public:
    Enrolment(Service& service, runtime::Timer& timer);
    Enrolment(Service& service, runtime::ByteStream& stream);
    ~Enrolment();
    Enrolment(const Enrolment&) = delete;
    Enrolment& operator=(const Enrolment&) = delete;

   private:
    Service& service_;
    std::uint64_t id_;
  };

 private:
  // One file the emulator was given.
  struct FileRecord {
    enum class State { waiting, running, done, forced };
    std::string file_name;
    std::optional<std::size_t> rule;  // the rule that matched, or the default
    State state = State::waiting;
    Verdict verdict = Verdict::benign;
    StatusCode forced = StatusCode::internal_error;  // for State::forced
    std::chrono::milliseconds delay{0};
  };

  // service.cpp
  bool listen();
  void supervise_listening();
  boost::asio::awaitable<void> accept_loop(std::shared_ptr<Service> self, std::uint64_t epoch);
  boost::asio::awaitable<void> supervisor(std::shared_ptr<Service> self, std::uint64_t epoch);
  std::chrono::milliseconds elapsed() const;

  // emulations.cpp
  Reply upload(const HttpRequest& request);
  Reply query(const HttpRequest& request);
  Reply answer_for(std::string_view sha256, const FileRecord& record, StatusCode in_progress);
  void enqueue(const std::string& sha256);
  void pump();
  void complete(const std::string& sha256, FileRecord& record);
  boost::asio::awaitable<void> run_emulation(std::shared_ptr<Service> self, std::string sha256,
                                             std::uint64_t epoch, std::chrono::milliseconds delay);

  // api.cpp
  Reply api_reply(StatusCode code, std::string_view sha256, std::string_view file_name,
                  std::optional<Verdict> verdict = std::nullopt);
  Reply control(const HttpRequest& request);
  const Fault* pick_fault(bool is_query, const Fault* rule_fault);
  Reply apply_fault(const Fault& fault, Reply genuine, bool is_query);

  // connection.cpp
  friend boost::asio::awaitable<void> serve_connection(std::shared_ptr<Service> self,
                                                       runtime::ByteStream stream);

  runtime::Host& host_;
  Behaviour behaviour_;
  runtime::Random random_;
  Counters counters_;
  bool started_ = false;
  bool stopped_ = false;
  runtime::SteadyTime started_at_{};

  runtime::Endpoint address_;
  runtime::Listener listener_;
  bool listening_ = false;
  std::uint64_t listen_epoch_ = 0;      // bumped when a listener is replaced
  std::uint64_t supervisor_epoch_ = 0;  // bumped when the outage windows change
  runtime::Timer* supervisor_timer_ = nullptr;

  std::map<std::string, FileRecord> files_;  // by sha256
  std::deque<std::string> waiting_;          // sha256s waiting for a capacity slot
  std::size_t running_ = 0;
  std::uint64_t files_epoch_ = 0;  // bumped by reset(): older emulations are abandoned
  // The rule of the file the last query or upload answered about, for its fault.
  std::optional<std::size_t> answered_rule_;

  std::uint64_t next_enrolment_ = 1;
  std::map<std::uint64_t, runtime::Timer*> timers_;
  std::map<std::uint64_t, runtime::ByteStream*> streams_;
};

// Serves one accepted connection until it closes (connection.cpp).
boost::asio::awaitable<void> serve_connection(std::shared_ptr<Service> self,
                                              runtime::ByteStream stream);

}  // namespace emulator_mock
