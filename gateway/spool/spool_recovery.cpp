// Spool recovery: what a start finds on disk, turned back into a queue.
#include <cassert>

#include "gateway/spool/spool.hpp"
#include "runtime/host.hpp"

namespace gateway {
namespace {

constexpr std::string_view incoming_prefix = ".incoming.";
constexpr std::string_view durable_write_prefix = ".tmp.";

}  // namespace

runtime::Result<std::vector<QueuedMessage>> Spool::recover() {
  if (auto ec = prepare()) {
    return ec;
  }
  if (auto ec = discard_leftovers()) {
    return ec;
  }
  auto ids = list_messages();
  if (!ids) {
    return ids.error();
  }

  // Every committed message comes back unless it is corrupt or was already done.
  std::vector<QueuedMessage> messages;
  for (const auto& id : *ids) {
    if (auto message = recover_message(id)) {
      messages.push_back(std::move(*message));
    }
  }
  return messages;
}

runtime::error_code Spool::discard_leftovers() {
  // Temporary files were never committed: a message still being received, a state record
  // or a request half written.
  for (const auto& folder : {messages_folder(), state_folder(), control_folder()}) {
    auto names = storage().list(folder);
    if (!names) {
      return names.error();
    }
    bool removed = false;
    for (const auto& name : *names) {
      if (name.starts_with(incoming_prefix) || name.starts_with(durable_write_prefix)) {
        host().events().record("spool.discarded", {{"file", runtime::join_path(folder, name)}});
        (void)storage().remove(runtime::join_path(folder, name));
        removed = true;
      }
    }
    if (removed) {
      (void)storage().sync_directory(folder);
    }
  }

  // A state record without its message is what a removal interrupted by a crash leaves.
  auto states = storage().list(state_folder());
  if (!states) {
    return states.error();
  }
  bool removed = false;
  for (const auto& name : *states) {
    auto id = QueueId::parse(name);
    if (id && !contains(*id)) {
      host().events().record("spool.orphan_state", {{"queue_id", name}});
      (void)storage().remove(state_path(*id));
      removed = true;
    }
  }
  if (removed) {
    (void)storage().sync_directory(state_folder());
  }
  return {};
}

std::optional<QueuedMessage> Spool::recover_message(const QueueId& id) {
  // A message whose file fails its checks is set aside, never delivered half.
  auto reader = open_message(id);
  if (!reader && reader.error() == runtime::Error::corrupt_record) {
    host().events().record("spool.corrupt", {{"queue_id", id.text()}});
    if (auto ec = set_aside(id)) {
      host().events().record("spool.set_aside_failed",
                             {{"queue_id", id.text()}, {"error", ec.message()}});
    }
    return std::nullopt;
  }
  if (!reader) {
    // It may read at the next start; until then it stays where it is.
    host().events().record("spool.unreadable",
                           {{"queue_id", id.text()}, {"error", reader.error().message()}});
    return std::nullopt;
  }

  // A done message only waited for its files to go.
  QueueRecord record = recovered_state(*reader);
  if (record.state == MessageState::done) {
    (void)remove(id);
    return std::nullopt;
  }
  return QueuedMessage{.envelope = reader->envelope(),
                       .record = std::move(record),
                       .content_size_bytes = reader->content_size_bytes()};
}

QueueRecord Spool::recovered_state(const SpoolReader& message) {
  const QueueId& id = message.queue_id();
  const Envelope& envelope = message.envelope();

  // No record yet means received; an unreadable one is treated the same, which at worst
  // inspects and delivers again rather than losing the message.
  QueueRecord record = QueueRecord::fresh(id, envelope);
  auto loaded = load_state(id);
  if (!loaded) {
    host().events().record("spool.state_unreadable",
                           {{"queue_id", id.text()}, {"error", loaded.error().message()}});
  } else if (*loaded && !(*loaded)->matches(envelope)) {
    host().events().record("spool.state_unreadable",
                           {{"queue_id", id.text()}, {"error", "recipients differ"}});
  } else if (*loaded) {
    record = std::move(**loaded);
  }
  if (record.state != MessageState::received && record.state != MessageState::inspecting) {
    return record;
  }

  // Content an inspection rewrote carries its decision: the crash came between the
  // rewrite and the state record, and the inspection is not redone on its own output.
  if (const auto& inspected = message.inspected()) {
    host().events().record(
        "spool.inspection_resumed",
        {{"queue_id", id.text()}, {"state", message_state_name(inspected->state)}});
    record.state = inspected->state;
    record.last_error = inspected->reason;
    return record;
  }

  // An inspection under way when the node stopped is redone from the start.
  record.state = MessageState::received;
  return record;
}

}  // namespace gateway
