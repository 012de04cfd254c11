// The file table: what each uploaded file is, whether its emulation waits for a slot,
// runs or is done, and the capacity that decides when waiting ones run.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "emulator_mock/api_json.hpp"
#include "emulator_mock/file_scan.hpp"
#include "emulator_mock/multipart.hpp"
#include "emulator_mock/service.hpp"

namespace emulator_mock {

namespace asio = boost::asio;

namespace {

std::string rule_name(const Behaviour& behaviour, std::optional<std::size_t> rule) {
  return rule && *rule < behaviour.rules.size() ? behaviour.rules[*rule].name : "default";
}

}  // namespace

Reply Service::query(const HttpRequest& request) {
  auto parsed = parse_api_request(request.body, true);
  if (!parsed) {
    return api_reply(StatusCode::bad_request, "", "");
  }
  auto found = files_.find(parsed->sha256);
  if (found == files_.end()) {
    return api_reply(StatusCode::not_found, parsed->sha256, parsed->file_name);
  }
  answered_rule_ = found->second.rule;
  return answer_for(found->first, found->second, StatusCode::pending);
}

Reply Service::answer_for(std::string_view sha256, const FileRecord& record,
                          StatusCode in_progress) {
  switch (record.state) {
    case FileRecord::State::waiting:
    case FileRecord::State::running:
      return api_reply(in_progress, sha256, record.file_name);
    case FileRecord::State::done:
      return api_reply(StatusCode::found, sha256, record.file_name, record.verdict);
    case FileRecord::State::forced:
      return api_reply(record.forced, sha256, record.file_name);
  }
  return api_reply(StatusCode::internal_error, sha256, record.file_name);
}

Reply Service::upload(const HttpRequest& request) {
  // The form: a `request` part with JSON and a `file` part with the bytes.
  auto boundary = form_boundary(request.content_type);
  auto parts = boundary ? parse_form(request.body, *boundary) : std::nullopt;
  const FormPart* request_part = nullptr;
  const FormPart* file_part = nullptr;
  const std::vector<FormPart> form = parts.value_or(std::vector<FormPart>{});
  for (const FormPart& part : form) {
    if (part.name == "request" && request_part == nullptr) {
      request_part = &part;
    } else if (part.name == "file" && file_part == nullptr) {
      file_part = &part;
    }
  }
  auto parsed = request_part ? parse_api_request(request_part->content, false) : std::nullopt;
  if (!parsed || file_part == nullptr) {
    return api_reply(StatusCode::bad_request, "", "");
  }
  if (file_part->content.size() > behaviour_.max_file_bytes) {
    return Reply{.http_status = 413, .content_type = "text/plain",
                 .body = "file larger than max_file_size\n"};
  }

  // The hash names the file; a request that names another one is refused.
  const std::string sha256 = sha256_hex(file_part->content);
  if (!parsed->sha256.empty() && parsed->sha256 != sha256) {
    return api_reply(StatusCode::bad_request, parsed->sha256, parsed->file_name);
  }
  const std::string file_name =
      parsed->file_name.empty() ? std::string(file_part->file_name) : parsed->file_name;

  // A file already known starts nothing new: it is answered as a query would be.
  if (auto known = files_.find(sha256); known != files_.end()) {
    answered_rule_ = known->second.rule;
    return answer_for(sha256, known->second, StatusCode::pending);
  }
  if (files_.size() >= behaviour_.max_files) {
    return api_reply(StatusCode::not_enough_resources, sha256, file_name);
  }

  // The first rule that matches decides; the delay is drawn now, in upload order.
  const FileFacts facts{.sha256 = sha256,
                        .file_name = file_name,
                        .has_eicar = behaviour_.needs_scan() && contains_eicar(file_part->content)};
  FileRecord record;
  record.file_name = file_name;
  record.rule = behaviour_.match(facts);
  const Rule* rule = record.rule ? &behaviour_.rules[*record.rule] : nullptr;
  if (rule != nullptr && rule->status) {
    record.state = FileRecord::State::forced;
    record.forced = *rule->status;
  } else {
    record.verdict = rule != nullptr && rule->verdict ? *rule->verdict : behaviour_.default_verdict;
    const DelayModel& delay = rule != nullptr && rule->delay ? *rule->delay
                                                             : behaviour_.default_delay;
    record.delay = delay.draw(random_);
  }
  ++counters_.files_seen;
  host_.events().record("emulator.upload",
                        {{"sha256", sha256},
                         {"file_name", file_name},
                         {"rule", rule_name(behaviour_, record.rule)},
                         {"delay_ms", record.delay.count()}});
  answered_rule_ = record.rule;
  auto [stored, inserted] = files_.emplace(sha256, std::move(record));
  if (stored->second.state == FileRecord::State::forced) {
    return answer_for(sha256, stored->second, StatusCode::pending);
  }
  enqueue(sha256);
  return api_reply(StatusCode::upload_success, sha256, file_name);
}

void Service::enqueue(const std::string& sha256) {
  waiting_.push_back(sha256);
  pump();
}

void Service::pump() {
  // Start waiting emulations while there are free slots. An emulation without delay is
  // done at once, which frees its slot within this loop.
  while (!waiting_.empty() && !stopped_ &&
         (behaviour_.capacity == 0 || running_ < behaviour_.capacity)) {
    const std::string sha256 = waiting_.front();
    waiting_.pop_front();
    auto found = files_.find(sha256);
    if (found == files_.end()) {
      continue;
    }
    FileRecord& record = found->second;
    record.state = FileRecord::State::running;
    ++running_;
    if (record.delay.count() == 0) {
      complete(sha256, record);
      continue;
    }
    asio::co_spawn(host_.executor(),
                   run_emulation(shared_from_this(), sha256, files_epoch_, record.delay),
                   asio::detached);
  }
}

void Service::complete(const std::string& sha256, FileRecord& record) {
  record.state = FileRecord::State::done;
  --running_;
  switch (record.verdict) {
    case Verdict::benign:
      ++counters_.verdicts_benign;
      break;
    case Verdict::malicious:
      ++counters_.verdicts_malicious;
      break;
    case Verdict::unknown:
      ++counters_.verdicts_unknown;
      break;
  }
  host_.events().record("emulator.verdict", {{"sha256", sha256},
                                             {"file_name", record.file_name},
                                             {"verdict", verdict_name(record.verdict)}});
}

asio::awaitable<void> Service::run_emulation(std::shared_ptr<Service> self, std::string sha256,
                                             std::uint64_t epoch, std::chrono::milliseconds delay) {
  runtime::Timer timer(host_);
  {
    Enrolment enrolled(*this, timer);
    timer.expires_after(delay);
    runtime::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || stopped_ || epoch != files_epoch_) {
      co_return;  // stopped or reset: the emulation was abandoned
    }
  }
  auto found = files_.find(sha256);
  if (found != files_.end() && found->second.state == FileRecord::State::running) {
    complete(sha256, found->second);
    pump();
  }
  (void)self;
}

}  // namespace emulator_mock
