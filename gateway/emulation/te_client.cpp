#include "gateway/emulation/te_client.hpp"

#include <algorithm>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gateway::emulation {
namespace {

namespace asio = boost::asio;

// The key under which requests share the limiter (it bounds requests, not hops).
constexpr const char* limiter_key = "emulation";

// The longest wait between retries after NOT_ENOUGH_RESOURCES.
constexpr runtime::Duration overload_backoff_max = std::chrono::minutes(2);

Judgement from_failure(ExchangeFailure failure) {
  switch (failure) {
    case ExchangeFailure::unreachable:
      return Judgement::not_scanned(NotScannedReason::unreachable);
    case ExchangeFailure::broken:
      return Judgement::not_scanned(NotScannedReason::error);
    case ExchangeFailure::timed_out:
      return Judgement::not_scanned(NotScannedReason::error);
  }
  return Judgement::not_scanned(NotScannedReason::error);
}

}  // namespace

TeClient::TeClient(runtime::Host& host, const Emulation& settings,
                   std::optional<runtime::TlsContext> verifying)
    : host_(host),
      settings_(settings),
      url_(BaseUrl::parse(settings.url)),
      limiter_(host, std::max<std::size_t>(settings.max_concurrent_requests, 1)),
      boundaries_(host.random("emulation.boundary")) {
  if (!url_ || !url_->tls) {
    return;
  }
  if (verifying) {
    tls_.emplace(std::move(*verifying));
  } else if (auto context = runtime::TlsContext::client_encrypt_only()) {
    tls_.emplace(std::move(*context));
  }
}

asio::awaitable<Judgement> TeClient::judge(const FileToJudge& file, runtime::SteadyTime deadline) {
  for (;;) {
    if (auto cached = cache_.find(file.sha256, host_.clock().now())) {
      co_return Judgement::of(*cached);
    }
    auto running = running_.find(file.sha256);
    if (running == running_.end()) {
      break;
    }

    // Another message's judgement of this file is under way: wait for its end, then look
    // again. The timer leaves the list however this frame ends.
    runtime::Timer timer(host_);
    timer.expires_at(deadline);
    struct Waiting {
      std::shared_ptr<Running> running;
      runtime::Timer* timer;
      ~Waiting() { std::erase(running->waiting, timer); }
    } waiting{running->second, &timer};
    waiting.running->waiting.push_back(&timer);
    runtime::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      const Judgement late = Judgement::not_scanned(NotScannedReason::timeout);
      record(file, late, 0);
      co_return late;
    }
  }

  // This call asks; later ones for the same file wait for it.
  auto mine = std::make_shared<Running>();
  running_.emplace(file.sha256, mine);
  const Judgement judgement = co_await ask(file, deadline);
  running_.erase(file.sha256);
  for (runtime::Timer* waiter : std::vector<runtime::Timer*>(mine->waiting)) {
    waiter->cancel();
  }
  co_return judgement;
}

asio::awaitable<Judgement> TeClient::ask(const FileToJudge& file, runtime::SteadyTime deadline) {
  if (!url_) {
    co_return Judgement::not_scanned(NotScannedReason::error);
  }

  Step step = Step::query;
  runtime::Duration overload_backoff = settings_.poll_interval;
  bool overloaded = false;  // the last answer was NOT_ENOUGH_RESOURCES
  int requests = 0;
  for (;;) {
    if (host_.clock().now() >= deadline) {
      const Judgement late = Judgement::not_scanned(overloaded ? NotScannedReason::overloaded
                                                               : NotScannedReason::timeout);
      record(file, late, requests);
      co_return late;
    }

    // One request, and what its answer means.
    ++requests;
    const ExchangeOutcome outcome = co_await exchange(file, step, deadline);
    std::optional<Judgement> decided;
    runtime::Duration wait = settings_.poll_interval;
    if (const auto* failure = std::get_if<ExchangeFailure>(&outcome)) {
      if (host_.clock().now() >= deadline) {
        continue;  // the loop's head names it: timeout, or overloaded
      }
      decided = from_failure(*failure);
    } else {
      const HttpReply& reply = std::get<HttpReply>(outcome);
      const std::optional<TeAnswer> answer =
          reply.status == 200 ? parse_answer(reply.body) : std::nullopt;
      if (!answer) {
        decided = Judgement::not_scanned(NotScannedReason::error);
      } else {
        overloaded = answer->status == TeStatus::not_enough_resources;
        step = Step::query;
        switch (answer->status) {
          case TeStatus::found:
            if (!answer->verdict) {
              decided = Judgement::not_scanned(NotScannedReason::error);
            } else if (*answer->verdict == TeVerdict::unknown) {
              decided = Judgement::not_scanned(NotScannedReason::unknown);
            } else {
              const Verdict verdict =
                  *answer->verdict == TeVerdict::malicious ? Verdict::malicious : Verdict::benign;
              cache_.remember(file.sha256, verdict, host_.clock().now());
              decided = Judgement::of(verdict);
            }
            break;
          case TeStatus::upload_success:
          case TeStatus::pending:
          case TeStatus::partially_found:
            break;  // poll again
          case TeStatus::not_found:
            step = Step::upload;
            wait = {};  // upload at once
            break;
          case TeStatus::no_quota:
            decided = Judgement::not_scanned(NotScannedReason::no_quota);
            break;
          case TeStatus::file_type_not_supported:
            decided = Judgement::not_scanned(NotScannedReason::unsupported);
            break;
          case TeStatus::not_enough_resources:
            wait = overload_backoff;
            overload_backoff = std::min(overload_backoff * 2, overload_backoff_max);
            break;
          case TeStatus::bad_request:
          case TeStatus::internal_error:
          case TeStatus::forbidden:
            decided = Judgement::not_scanned(NotScannedReason::error);
            break;
        }
      }
    }
    if (decided) {
      record(file, *decided, requests);
      co_return *decided;
    }

    // Wait for the next request, never past the deadline.
    if (wait > runtime::Duration{}) {
      co_await wait_until(std::min(host_.clock().now() + wait, deadline), deadline);
    }
  }
}

asio::awaitable<ExchangeOutcome> TeClient::exchange(const FileToJudge& file, Step step,
                                                    runtime::SteadyTime deadline) {
  HttpRequest request;
  if (step == Step::query) {
    request.path = std::string(query_path);
    request.content_type = "application/json";
    request.body_head = request_json(file.sha256, file.file_name);
  } else {
    const UploadFraming framing =
        upload_framing("te-" + boundaries_.alphanumeric(32), file.sha256, file.file_name);
    request.path = std::string(upload_path);
    request.content_type = framing.content_type;
    request.body_head = framing.head;
    request.file_size_bytes = file.size_bytes;
    request.read_file = file.read;
    request.body_tail = framing.tail;
  }

  HopLimiter::Lease lease = co_await limiter_.acquire(limiter_key);
  const runtime::SteadyTime request_deadline =
      std::min(deadline, host_.clock().now() + settings_.request_timeout);
  host_.events().record(
      "emulation.request",
      {{"sha256", file.sha256}, {"request", step == Step::query ? "query" : "upload"}});
  co_return co_await post(host_, *url_, tls_ ? &*tls_ : nullptr, request, request_deadline);
}

asio::awaitable<bool> TeClient::wait_until(runtime::SteadyTime until,
                                           runtime::SteadyTime deadline) {
  runtime::Timer timer(host_);
  timer.expires_at(until);
  runtime::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return until < deadline;
}

void TeClient::record(const FileToJudge& file, const Judgement& judgement, int requests) {
  host_.events().record(
      "emulation.judged",
      {{"sha256", file.sha256},
       {"file_name", file.file_name},
       {"verdict", std::string(verdict_name(judgement.verdict))},
       {"reason", judgement.reason ? std::string(reason_name(*judgement.reason)) : std::string()},
       {"requests", requests}});
}

}  // namespace gateway::emulation
