#include "gateway/inspection/message_inspector.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "gateway/inspection/content_source.hpp"
#include "gateway/inspection/header_block.hpp"
#include "gateway/inspection/message_analysis.hpp"
#include "gateway/inspection/quarantine_copy.hpp"
#include "gateway/inspection/rewriter.hpp"
#include "gateway/inspection/verdict_policy.hpp"
#include "runtime/wait_group.hpp"

namespace gateway::inspection {

namespace asio = boost::asio;

namespace {

// A file's decoded bytes for an upload: decoded once into a scratch file of the spool on
// the first read, then read back from it; the scratch file goes when the judging is done.
class UploadSource {
 public:
  UploadSource(Spool& spool, ContentSource& message, const File& file, std::string path)
      : spool_(spool), message_(message), file_(file), path_(std::move(path)) {}
  UploadSource(const UploadSource&) = delete;
  UploadSource& operator=(const UploadSource&) = delete;
  ~UploadSource() {
    if (scratch_) {
      scratch_.reset();
      (void)spool_.storage().remove(path_);
    }
  }

  runtime::Result<std::size_t> read(std::uint64_t offset, std::span<char> buffer) {
    if (!scratch_) {
      if (auto ec = decode()) {
        return ec;
      }
    }
    return scratch_->read_at(offset, buffer);
  }

 private:
  runtime::error_code decode() {
    runtime::Storage& storage = spool_.storage();
    if (storage.exists(path_)) {
      (void)storage.remove(path_);
    }
    auto opened = storage.open(path_, runtime::OpenMode::create_new);
    if (!opened) {
      return opened.error();
    }
    std::unique_ptr<runtime::File> file = std::move(*opened);
    auto streamed =
        stream_file(message_, file_, [&](std::string_view chunk) -> runtime::Result<void> {
          if (auto ec = file->write(std::span<const char>(chunk.data(), chunk.size()))) {
            return ec;
          }
          return {};
        });
    scratch_ = std::move(file);  // from here on the destructor removes the name
    if (!streamed) {
      return streamed.error();
    }
    return {};
  }

  Spool& spool_;
  ContentSource& message_;
  const File& file_;
  std::string path_;
  std::unique_ptr<runtime::File> scratch_;
};

// What the parallel judging of one message's files shares: the message's reader (the
// files' bytes come from it), the analysis, and the judgements as they arrive.
struct Judging {
  Judging(runtime::Host& host, SpoolReader reader_in)
      : reader(std::move(reader_in)), source(reader), judged(host) {}

  SpoolReader reader;
  SpoolContentSource source;
  MessageAnalysis analysis;
  std::vector<std::optional<emulation::Judgement>> judgements;
  runtime::WaitGroup judged;  // the judgements still to arrive
};

}  // namespace

MessageInspector::MessageInspector(runtime::Host& host, const Config& config, Spool& spool,
                                   Logger& log, Wiring wiring)
    : host_(host),
      config_(config),
      emulation_(config.emulation.value()),
      spool_(spool),
      log_(log),
      client_(host, emulation_, std::move(wiring.service_tls)),
      metrics_(wiring.metrics),
      random_(host.random("quarantine")) {
  if (emulation_.url.starts_with("https://") && !emulation_.ca_file) {
    log_.warn("emulation.tls_unverified",
              {{"url", emulation_.url},
               {"detail", "the service's certificate is not checked; set emulation.ca_file"}});
  }
}

InspectionOutcome MessageInspector::held(std::string reason) {
  if (metrics_ != nullptr) {
    ++metrics_->messages_held_total;
  }
  return InspectionOutcome{InspectionResult::hold, std::move(reason)};
}

void MessageInspector::count_file(emulation::Verdict verdict) {
  if (metrics_ == nullptr) {
    return;
  }
  switch (verdict) {
    case emulation::Verdict::benign:
      ++metrics_->files_benign_total;
      break;
    case emulation::Verdict::malicious:
      ++metrics_->files_malicious_total;
      break;
    case emulation::Verdict::not_scanned:
      ++metrics_->files_not_scanned_total;
      break;
  }
}

bool MessageInspector::all_recipients_exempt(const QueuedMessage& message) const {
  const auto& exempt = emulation_.exempt_recipients;
  if (exempt.empty()) {
    return false;
  }
  return std::all_of(message.envelope.recipients.begin(), message.envelope.recipients.end(),
                     [&](const std::string& recipient) {
                       return std::find(exempt.begin(), exempt.end(), to_lower(recipient)) !=
                              exempt.end();
                     });
}

asio::awaitable<InspectionOutcome> MessageInspector::inspect(QueuedMessage& message) {
  const std::string id = message.id().text();
  if (all_recipients_exempt(message)) {
    log_.info("inspection.exempt", {{"queue_id", id}});
    co_return InspectionOutcome{};
  }
  const runtime::SteadyTime deadline = host_.clock().now() + emulation_.max_delay;

  auto opened = spool_.open_message(message.id());
  if (!opened) {
    log_.error("inspection.unreadable", {{"queue_id", id}, {"error", opened.error().message()}});
    co_return held("inspection could not read the message: " + opened.error().message());
  }
  auto judging = std::make_shared<Judging>(host_, std::move(*opened));
  auto analysed = analyse(judging->source, AnalysisLimits{});
  if (!analysed) {
    log_.error("inspection.unreadable", {{"queue_id", id}, {"error", analysed.error().message()}});
    co_return held("inspection could not read the message: " + analysed.error().message());
  }
  judging->analysis = std::move(*analysed);
  const std::vector<File>& files = judging->analysis.files;

  // Every scannable file goes to the service at once; the unscannable need no answer.
  judging->judgements.resize(files.size());
  for (std::size_t index = 0; index < files.size(); ++index) {
    if (files[index].unscannable()) {
      judging->judgements[index] =
          emulation::Judgement::not_scanned(emulation::NotScannedReason::unparseable);
      continue;
    }
    judging->judged.add();
    auto judge_one = [](MessageInspector& self, std::shared_ptr<Judging> shared, std::size_t at,
                        std::string scratch, runtime::SteadyTime until) -> asio::awaitable<void> {
      const File& file = shared->analysis.files[at];
      auto upload =
          std::make_shared<UploadSource>(self.spool_, shared->source, file, std::move(scratch));
      emulation::FileToJudge request{
          .sha256 = file.sha256,
          .file_name = file.file_name,
          .size_bytes = file.size_bytes,
          .read = [upload](std::uint64_t offset, std::span<char> buffer) {
            return upload->read(offset, buffer);
          }};
      emulation::Judgement judgement = co_await self.client_.judge(request, until);
      shared->judgements[at] = judgement;
      shared->judged.done();
    };
    asio::co_spawn(
        host_.executor(),
        judge_one(*this, judging, index,
                  spool_.scratch_path(message.id(), "file" + std::to_string(index)), deadline),
        asio::detached);
  }
  // The client keeps every judgement within the deadline; the slack only guards against
  // waiting forever should it not (a file still unjudged then counts as timed out).
  co_await judging->judged.wait(deadline + std::chrono::minutes(1));

  // Per file: keep or replace, and what the header says.
  const bool hold_unjudged = emulation_.fail_mode == FailMode::close && config_.quarantine.hold;
  RewritePlan plan;
  plan.removed_fields = {std::string(verdict_field_name)};
  std::vector<std::string> file_outcomes;
  bool changed = false;
  bool removed = false;
  bool unjudged = false;
  for (std::size_t index = 0; index < files.size(); ++index) {
    const File& file = files[index];
    const emulation::Judgement judgement = judging->judgements[index].value_or(
        emulation::Judgement::not_scanned(emulation::NotScannedReason::timeout));
    const bool not_scanned = judgement.verdict == emulation::Verdict::not_scanned;
    unjudged = unjudged || not_scanned;
    // Held messages keep their unjudged files: releasing one is an operator's decision to
    // deliver it as it came.
    const FailMode mode = not_scanned && hold_unjudged ? FailMode::open : emulation_.fail_mode;
    FileDecision decision = decide(file, judgement, mode);
    count_file(judgement.verdict);
    changed = changed || decision.removed || not_scanned;
    removed = removed || decision.removed;
    log_.info("inspection.file", {{"queue_id", id},
                                  {"file", file.file_name},
                                  {"part", file.part_path},
                                  {"sha256", file.sha256},
                                  {"size", file.size_bytes},
                                  {"outcome", decision.field_value}});
    plan.notices.push_back(std::move(decision.notice));
    plan.added_fields.push_back({std::string(verdict_field_name), decision.field_value});
    file_outcomes.push_back(std::move(decision.field_value));
  }
  if (files.empty()) {
    plan.added_fields.push_back({std::string(verdict_field_name), std::string(no_files_value)});
  }

  // The subject tag, on a message whose files were removed or not scanned.
  if (changed && !emulation_.subject_tag.empty()) {
    auto header = read_header_block(judging->source, {0, judging->source.size()},
                                    AnalysisLimits{}.header_size_bytes_max);
    if (header) {
      const auto subjects = header->all("Subject");
      const std::string subject = subjects.empty() ? std::string() : subjects.front()->value;
      plan.removed_fields.push_back("Subject");
      plan.added_fields.push_back({"Subject", subject.empty()
                                                  ? emulation_.subject_tag
                                                  : emulation_.subject_tag + " " + subject});
    }
  }

  // The original leaves for quarantine before the rewrite replaces it; the copy goes with
  // the outcome, whatever that is.
  std::vector<QueuedMessage> companions;
  if (removed && config_.quarantine.address) {
    auto copy = copy_to_quarantine(message, std::move(file_outcomes));
    if (!copy) {
      co_return held("inspection could not spool the copy for quarantine.address: " +
                     copy.error().message());
    }
    companions.push_back(std::move(*copy));
  }
  auto with_companions = [&companions](InspectionOutcome outcome) {
    outcome.companions = std::move(companions);
    return outcome;
  };

  // The new content replaces the old in one atomic step, and carries the decision, so
  // that a crash before the queue saves it does not have the new content inspected again.
  InspectionMark decided;
  if (unjudged && hold_unjudged) {
    decided.state = MessageState::held;
    decided.reason = "attachments without a verdict (fail mode close, quarantine.hold)";
  }
  auto writer = spool_.begin_replacement(message.id(), judging->reader.envelope(), decided);
  if (!writer) {
    log_.error("inspection.rewrite_failed",
               {{"queue_id", id}, {"error", writer.error().message()}});
    co_return with_companions(
        held("inspection could not rewrite the message: " + writer.error().message()));
  }
  auto written = rewrite(judging->source, judging->analysis, plan,
                         [&](std::string_view chunk) -> runtime::Result<void> {
                           if (auto ec = writer->append(chunk)) {
                             return ec;
                           }
                           return {};
                         });
  if (!written) {
    writer->abandon();
    log_.error("inspection.rewrite_failed",
               {{"queue_id", id}, {"error", written.error().message()}});
    co_return with_companions(
        held("inspection could not rewrite the message: " + written.error().message()));
  }
  auto committed = writer->commit();
  if (!committed) {
    log_.error("inspection.rewrite_failed",
               {{"queue_id", id}, {"error", committed.error().message()}});
    co_return with_companions(
        held("inspection could not rewrite the message: " + committed.error().message()));
  }
  message.content_size_bytes = committed->content_size_bytes;
  log_.info("inspection.done", {{"queue_id", id},
                                {"files", files.size()},
                                {"changed", changed},
                                {"size", message.content_size_bytes}});
  if (decided.state == MessageState::held) {
    co_return with_companions(held(decided.reason));
  }
  co_return with_companions(InspectionOutcome{});
}

runtime::Result<QueuedMessage> MessageInspector::copy_to_quarantine(
    const QueuedMessage& message, std::vector<std::string> file_outcomes) {
  const std::string id = message.id().text();
  QuarantineNote note;
  note.reporting_mta = config_.hostname;
  note.address = config_.quarantine.address.value();
  note.original_queue_id = id;
  note.original = message.envelope;
  note.file_outcomes = std::move(file_outcomes);
  note.now = host_.clock().wall_now();

  auto original = spool_.open_message(message.id());
  auto copy = original ? spool_quarantine_copy(spool_, *original, note, random_)
                       : runtime::Result<QueuedMessage>(original.error());
  if (!copy) {
    log_.error("inspection.quarantine_copy_failed",
               {{"queue_id", id}, {"address", note.address}, {"error", copy.error().message()}});
    return copy.error();
  }
  if (metrics_ != nullptr) {
    ++metrics_->quarantine_copies_total;
  }
  log_.info("inspection.quarantine_copy",
            {{"queue_id", id}, {"copy_queue_id", copy->id().text()}, {"address", note.address}});
  return copy;
}

}  // namespace gateway::inspection
