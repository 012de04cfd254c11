// The gateway's client of the threat-emulation service: asks for each file's verdict by
// its sha256, uploads the file when the service has not seen it, polls while the service
// works, and turns every answer into a Judgement as DESIGN.md's table says:
//
//   1001 FOUND benign | malicious        the verdict (cached by sha256, verdict_cache.hpp)
//   1001 FOUND unknown                   not scanned: unknown
//   1002, 1003, 1006                     query again after emulation.poll_interval
//   1004 NOT_FOUND                       upload, then poll
//   1005 NO_QUOTA                        not scanned: no-quota
//   1007 FILE_TYPE_NOT_SUPPORTED         not scanned: unsupported
//   1011 NOT_ENOUGH_RESOURCES            again after a backoff doubling from poll_interval;
//                                        at the deadline: not scanned: overloaded
//   1008, 1009, 1010, HTTP status other than 200, malformed body, broken connection
//                                        not scanned: error
//   no connection (refused, or not made  not scanned: unreachable
//   within emulation.request_timeout)
//   the deadline passed                  not scanned: timeout
//
// Every request has its own deadline (emulation.request_timeout, never past the file's
// deadline), and at most emulation.max_concurrent_requests are under way at once.
//
// One file is asked about once at a time: while a judgement of a sha256 is under way,
// further judge() calls for it (the same attachment in a burst of messages) wait for that
// one instead of querying, uploading and polling again. A verdict it reaches is theirs
// (through the cache); when it ends without one (its deadline, a failure), the next waiter
// asks for itself, and a waiter whose own deadline comes first ends in timeout.
//
// Over https:// the service's certificate is checked for the url's host against the
// trust anchors of emulation.ca_file when it is set; without it the connection is only
// encrypted (the gateway warns at start), and a machine in the path could answer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gateway/config.hpp"
#include "gateway/delivery/hop_limiter.hpp"
#include "gateway/emulation/http_exchange.hpp"
#include "gateway/emulation/judgement.hpp"
#include "gateway/emulation/te_protocol.hpp"
#include "gateway/emulation/verdict_cache.hpp"
#include "runtime/host.hpp"
#include "runtime/random.hpp"
#include "runtime/tls.hpp"

namespace gateway::emulation {

struct FileToJudge {
  std::string sha256;  // lower-case hex of the file's decoded bytes
  std::string file_name;
  std::uint64_t size_bytes = 0;
  // Reads the file's bytes from `offset` into the buffer; 0 only at the end. Called only
  // when the service asks for an upload.
  std::function<runtime::Result<std::size_t>(std::uint64_t, std::span<char>)> read;
};

class TeClient {
 public:
  // `settings` must outlive the client. `verifying` is the client context built from
  // settings.ca_file, for an https:// url; without it https only encrypts.
  TeClient(runtime::Host& host, const Emulation& settings,
           std::optional<runtime::TlsContext> verifying = std::nullopt);
  TeClient(const TeClient&) = delete;
  TeClient& operator=(const TeClient&) = delete;

  // The file's judgement, reached before `deadline` (the message's max_delay).
  boost::asio::awaitable<Judgement> judge(const FileToJudge& file, runtime::SteadyTime deadline);

  // Verdicts remembered, by sha256.
  std::size_t cached_verdicts() const { return cache_.size(); }

 private:
  enum class Step { query, upload };

  // A judgement under way, and the timers of the judge() calls waiting for it; each waiter
  // removes its own timer when it wakes or goes.
  struct Running {
    std::vector<runtime::Timer*> waiting;
  };

  // The exchanges with the service for one file, until a judgement.
  boost::asio::awaitable<Judgement> ask(const FileToJudge& file, runtime::SteadyTime deadline);

  // One request: query or upload, with the limiter's slot and the request's deadline.
  boost::asio::awaitable<ExchangeOutcome> exchange(const FileToJudge& file, Step step,
                                                   runtime::SteadyTime deadline);
  // Waits until `until`; false when that is the deadline (nothing is left to wait for).
  boost::asio::awaitable<bool> wait_until(runtime::SteadyTime until, runtime::SteadyTime deadline);
  void record(const FileToJudge& file, const Judgement& judgement, int requests);

  runtime::Host& host_;
  const Emulation& settings_;
  std::optional<BaseUrl> url_;
  std::optional<runtime::TlsContext> tls_;
  HopLimiter limiter_;
  runtime::Random boundaries_;
  VerdictCache cache_;
  std::map<std::string, std::shared_ptr<Running>> running_;  // by sha256
};

}  // namespace gateway::emulation
