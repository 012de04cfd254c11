// Durable storage on a POSIX filesystem: the real side of runtime::Storage.
//
// Paths go to the system unchanged, so relative ones are relative to the process's
// working folder. Files are opened close-on-exec; write() loops over partial writes and
// interrupted calls; sync() is fsync; sync_directory() fsyncs the folder itself, which is
// what makes creations, renames and removals in it durable. Files are created with mode
// 0600 and folders with 0750 (both narrowed by the umask): mail content stays private to
// the gateway's user, while an operator's group may list the spool's folders. Errors are
// system-category codes made from errno.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/storage.hpp"

namespace runtime {

class PosixStorage final : public Storage {
 public:
  // Files opened for reading that turn out to be folders fail with EISDIR, as on the
  // simulated disk (a plain open of a folder for reading would succeed).
  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override;
  error_code rename(const std::string& from, const std::string& to) override;
  error_code remove(const std::string& path) override;
  error_code sync_directory(const std::string& folder) override;
  // Creates each missing component in turn and syncs the folder that received it, so
  // that the new folder survives a crash.
  error_code create_directories(const std::string& folder) override;
  // Skips "." and ".." and sub-folders (symbolic links count as files).
  Result<std::vector<std::string>> list(const std::string& folder) override;
  bool exists(const std::string& path) override;
};

}  // namespace runtime
