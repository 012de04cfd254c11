// The spool: where accepted mail lives until it is delivered, bounced or deleted. It is a
// folder (config spool_dir) on runtime::Storage laid out as
//
//   <spool>/messages/<queue id>             a committed message (format: spool_format.hpp)
//   <spool>/messages/.incoming.<queue id>   a message still being received, or the new
//                                           content of one being rewritten
//   <spool>/messages/.incoming.<id>.<what>  a stage's working file (scratch_path)
//   <spool>/state/<queue id>                its queue state (format: queue_record.hpp);
//                                           absent means received
//   <spool>/control/                        requests from `mta-gateway queue` (see
//                                           gateway/queue/control_request.hpp)
//   <spool>/corrupt/                        files that failed their checks, kept for people
//
// The spool owns the files and their durability; what happens to a message next is the
// queue manager's business. Every call is synchronous, like runtime::Storage.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/spool/envelope.hpp"
#include "gateway/spool/queue_id.hpp"
#include "gateway/spool/queue_record.hpp"
#include "gateway/spool/queued_message.hpp"
#include "gateway/spool/spool_reader.hpp"
#include "gateway/spool/spool_writer.hpp"
#include "runtime/random.hpp"
#include "runtime/storage.hpp"

namespace runtime {
class Host;
}

namespace gateway {

class Spool {
 public:
  // Nothing touches storage until a call needs it.
  Spool(runtime::Host& host, std::string folder);
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  runtime::Host& host() const { return *host_; }
  runtime::Storage& storage() const;
  const std::string& folder() const { return folder_; }
  std::string messages_folder() const;
  std::string state_folder() const;
  std::string control_folder() const;
  std::string corrupt_folder() const;
  std::string message_path(const QueueId& id) const;
  std::string incoming_path(const QueueId& id) const;
  std::string state_path(const QueueId& id) const;

  // Creates the spool's folders (a no-op when they exist). Errors: EIO, ENOTDIR.
  runtime::error_code prepare();

  // Starts receiving a message under a fresh queue id: creates its temporary file and
  // writes the envelope. The envelope has at least one recipient. Errors: EIO, ENOSPC,
  // ENOENT (the spool was not prepared).
  runtime::Result<SpoolWriter> begin(const Envelope& envelope);

  // Starts writing new content for a committed message (a rewrite after inspection) under
  // its temporary name; commit() replaces the old content atomically, so a crash leaves
  // one version or the other, each whole. The envelope is the message's own; `inspected`
  // is what the inspection decided, which the new content carries, so that recovery
  // resumes from it when the state record was not saved after the commit. Errors: EIO,
  // ENOSPC, ENOENT (no such message).
  runtime::Result<SpoolWriter> begin_replacement(const QueueId& id, const Envelope& envelope,
                                                 const InspectionMark& inspected);

  // A name for a working file of a message's stage (such as a decoded attachment on its
  // way to the sandbox): never synced, and discarded by recovery.
  std::string scratch_path(const QueueId& id, std::string_view purpose) const;

  // Opens a committed message and checks its structure. Errors: ENOENT (no such
  // message), EIO, corrupt_record.
  runtime::Result<SpoolReader> open_message(const QueueId& id);

  // Whether a committed message with this id is in the spool.
  bool contains(const QueueId& id);

  // The ids of the committed messages, sorted. Errors: ENOENT, EIO.
  runtime::Result<std::vector<QueueId>> list_messages();

  // The stored queue state; nothing when none was written yet (the message is received).
  // Errors: EIO, corrupt_record.
  runtime::Result<std::optional<QueueRecord>> load_state(const QueueId& id);

  // Replaces the queue state durably; a crash keeps the old record or the new one. The
  // record is checked when written: it must be consistent and read back equal. Errors:
  // EIO, ENOSPC.
  runtime::error_code save_state(const QueueRecord& record);

  // Removes a message's files: the content first, then the state record, each made
  // durable. A crash in between leaves a state record without content, which recovery
  // removes. Errors: EIO (the first failure; the removal continues past it).
  runtime::error_code remove(const QueueId& id);

  // Moves a message's files aside to <spool>/corrupt/ so that people can look at them
  // and the queue never tries them again. Errors: EIO.
  runtime::error_code set_aside(const QueueId& id);

  // Brings the spool back after a start or a crash: discards temporary files, removes
  // state records without content and finishes removing done messages, sets corrupt
  // messages aside, and returns every other committed message in its recorded state
  // (received and inspecting come back as received). Problems with single messages are
  // recorded as events, not returned. Errors: EIO on the folders themselves.
  //
  // TODO: Recovery checks each file's structure and size but not its content checksum,
  // because reading every byte of a full spool would slow every start; damaged content
  // shows only when a stage streams it, and nothing yet sets such a message aside then.
  runtime::Result<std::vector<QueuedMessage>> recover();

 private:
  // Writes the envelope into a freshly created temporary file and hands it to a writer.
  // `inspected` marks a replacement.
  runtime::Result<SpoolWriter> start_writer(const QueueId& id, const Envelope& envelope,
                                            std::unique_ptr<runtime::File> file,
                                            const std::optional<InspectionMark>& inspected);

  // The state of one committed message after a restart; nothing when it is not to be
  // queued (corrupt, unreadable, or done).
  std::optional<QueuedMessage> recover_message(const QueueId& id);
  runtime::error_code discard_leftovers();
  QueueRecord recovered_state(const SpoolReader& message);

  runtime::Host* host_;
  std::string folder_;
  runtime::Random ids_;
};

}  // namespace gateway
