// A simulated disk, one per node, that keeps what was synced and loses what was not when
// the node crashes (see runtime/storage.hpp for the contract it enforces):
// - each file has its current bytes and its synced bytes; File::sync() makes them equal;
// - each folder has its current names and its durable names; sync_directory() makes them
//   equal; a crash keeps only durable names, each pointing at its file's synced bytes;
// - faults can be injected at the nth future call of an operation (EIO, ENOSPC, ...), and
//   a capacity makes writes beyond it fail with ENOSPC.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
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

class Disk final : public runtime::Storage {
 public:
  Disk(World& world, std::string node_name);
  ~Disk() override;

  // runtime::Storage
  runtime::Result<std::unique_ptr<runtime::File>> open(const std::string& path,
                                                       runtime::OpenMode mode) override;
  runtime::error_code rename(const std::string& from, const std::string& to) override;
  runtime::error_code remove(const std::string& path) override;
  runtime::error_code sync_directory(const std::string& folder) override;
  runtime::error_code create_directories(const std::string& folder) override;
  runtime::Result<std::vector<std::string>> list(const std::string& folder) override;
  bool exists(const std::string& path) override;

  // Reverts to the durable state. Files opened before the crash become unusable (EIO).
  void crash();

  // The nth call from now (1 = the next one) of `op` fails with `error` and changes
  // nothing.
  void inject_fault(DiskOp op, std::uint64_t nth, std::errc error);
  void clear_faults();
  // Bytes of file content the disk holds at most; 0 for unlimited.
  void set_capacity(std::uint64_t bytes);
  // Calls of `op` so far (failed ones included), for fail-nth matrices.
  std::uint64_t count(DiskOp op) const;
  std::uint64_t bytes_used() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sim
