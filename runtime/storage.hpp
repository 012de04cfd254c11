// Durable storage as the spool needs it: files written, synced and renamed into place,
// with the directory synced to make the rename durable. Paths are strings; the real
// implementation passes them to POSIX unchanged, the simulated disk keys its files by them.
//
// Durability contract (both worlds honour it; the simulated disk enforces it on crash):
// - File data survives a crash only after File::sync() returned success.
// - A new name (create or rename target) and a removal survive only after
//   sync_directory() on the folder holding the name returned success.
// - rename() replaces an existing target atomically.
//
// Calls are synchronous. Failures are system-category error codes (EIO, ENOSPC, ENOENT,
// EEXIST, ENOTDIR...) so that both worlds report the same codes.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/error.hpp"

namespace runtime {

enum class OpenMode {
  read,        // an existing file, reading only
  create_new,  // a new file for writing; fails with EEXIST if the name exists
  append,      // an existing file, writing at its end
};

class File {
 public:
  virtual ~File() = default;

  // Writes all of `data` at the end of the file. Errors: EIO, ENOSPC, EBADF (read-only).
  virtual error_code write(std::span<const char> data) = 0;

  // Reads up to `buffer.size()` bytes at `offset`; returns 0 at end of file. Errors: EIO.
  virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buffer) = 0;

  // Makes everything written so far durable. Errors: EIO, ENOSPC.
  virtual error_code sync() = 0;

  virtual Result<std::uint64_t> size() = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Errors: ENOENT (read/append of a missing file or a missing folder), EEXIST
  // (create_new of an existing name), EIO.
  virtual Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) = 0;

  // Atomically gives `from` the name `to`, replacing any file there. Errors: ENOENT, EIO.
  virtual error_code rename(const std::string& from, const std::string& to) = 0;

  // Removes a file. Errors: ENOENT, EIO.
  virtual error_code remove(const std::string& path) = 0;

  // Makes the names in `folder` (creations, renames, removals) durable. Errors: ENOENT, EIO.
  virtual error_code sync_directory(const std::string& folder) = 0;

  // Creates `folder` and its missing parents, durably. Succeeds if it exists. Errors: EIO,
  // ENOTDIR.
  virtual error_code create_directories(const std::string& folder) = 0;

  // The names (not paths) of the files in `folder`, sorted bytewise. Errors: ENOENT, EIO.
  virtual Result<std::vector<std::string>> list(const std::string& folder) = 0;

  // Whether a file or folder of that name exists.
  virtual bool exists(const std::string& path) = 0;
};

// Writes `data` to `folder/name` durably: a temporary file in the same folder is written
// and synced, renamed over `name`, and the folder is synced. A crash at any point leaves
// either the old file or the new one, never a mix; a leftover temporary file is named
// ".tmp.<name>" so that a scan on restart can discard it.
error_code write_file_durably(Storage& storage, const std::string& folder,
                              const std::string& name, std::string_view data);

// Reads a whole file. Errors: as Storage::open and File::read_at.
Result<std::string> read_file(Storage& storage, const std::string& path);

// Joins a folder and a name with one '/'.
std::string join_path(std::string_view folder, std::string_view name);

}  // namespace runtime
