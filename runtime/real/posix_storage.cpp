#include "runtime/real/posix_storage.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>

namespace runtime {
namespace {

constexpr mode_t file_mode = 0600;
constexpr mode_t folder_mode = 0750;

error_code system_error(int value) { return {value, boost::system::system_category()}; }

error_code last_error() { return system_error(errno); }

// Opens a folder and fsyncs it; the open file is closed whatever happens.
error_code sync_folder(const std::string& folder) {
  int fd = -1;
  do {
    fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    return last_error();
  }
  error_code result;
  while (::fsync(fd) != 0) {
    if (errno != EINTR) {
      result = last_error();
      break;
    }
  }
  ::close(fd);
  return result;
}

// The folder that holds the last component of `path` ("." for a bare name).
std::string parent_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

class PosixFile final : public File {
 public:
  explicit PosixFile(int fd) : fd_(fd) {}

  // Closing reports nothing that sync() would not have: durability comes only from sync().
  ~PosixFile() override { ::close(fd_); }

  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  error_code write(std::span<const char> data) override {
    while (!data.empty()) {
      const ssize_t written = ::write(fd_, data.data(), data.size());
      if (written < 0) {
        if (errno == EINTR) {
          continue;
        }
        return last_error();
      }

      // A regular file never accepts zero bytes of a non-empty write; treat it as an
      // error rather than loop forever.
      if (written == 0) {
        return system_error(EIO);
      }
      data = data.subspan(static_cast<std::size_t>(written));
    }
    return {};
  }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buffer) override {
    if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) {
      return std::size_t{0};
    }
    for (;;) {
      const ssize_t got =
          ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(offset));
      if (got >= 0) {
        return static_cast<std::size_t>(got);
      }
      if (errno != EINTR) {
        return last_error();
      }
    }
  }

  error_code sync() override {
    while (::fsync(fd_) != 0) {
      if (errno != EINTR) {
        return last_error();
      }
    }
    return {};
  }

  Result<std::uint64_t> size() override {
    struct stat status {};
    if (::fstat(fd_, &status) != 0) {
      return last_error();
    }
    return static_cast<std::uint64_t>(status.st_size);
  }

 private:
  int fd_;
};

int open_flags(OpenMode mode) {
  switch (mode) {
    case OpenMode::read: return O_RDONLY | O_CLOEXEC;
    case OpenMode::create_new: return O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
    case OpenMode::append: return O_RDWR | O_APPEND | O_CLOEXEC;
  }
  return O_RDONLY | O_CLOEXEC;
}

// Whether an entry of an open folder is itself a folder; the entry type is used when the
// filesystem provides it, else the entry is looked up (without following links).
bool is_folder(DIR* folder, const dirent& entry) {
  if (entry.d_type != DT_UNKNOWN) {
    return entry.d_type == DT_DIR;
  }
  struct stat status {};
  if (::fstatat(::dirfd(folder), entry.d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) {
    return false;
  }
  return S_ISDIR(status.st_mode);
}

}  // namespace

Result<std::unique_ptr<File>> PosixStorage::open(const std::string& path, OpenMode mode) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), open_flags(mode), file_mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    return last_error();
  }
  auto file = std::make_unique<PosixFile>(fd);

  // Reading a folder opens fine but is no file; refuse it here, as the simulated disk does.
  if (mode == OpenMode::read) {
    struct stat status {};
    if (::fstat(fd, &status) != 0) {
      return last_error();
    }
    if (S_ISDIR(status.st_mode)) {
      return system_error(EISDIR);
    }
  }
  return std::unique_ptr<File>(std::move(file));
}

error_code PosixStorage::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return last_error();
  }
  return {};
}

error_code PosixStorage::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    return last_error();
  }
  return {};
}

error_code PosixStorage::sync_directory(const std::string& folder) { return sync_folder(folder); }

error_code PosixStorage::create_directories(const std::string& folder) {
  if (folder.empty()) {
    return system_error(ENOENT);
  }

  // Create each prefix that ends before a '/' and then the whole path, in order.
  std::size_t end = folder.find_first_not_of('/');
  while (end != std::string::npos) {
    end = folder.find('/', end);
    const std::string prefix = folder.substr(0, end);
    if (end != std::string::npos) {
      end = folder.find_first_not_of('/', end);
    }
    if (::mkdir(prefix.c_str(), folder_mode) == 0) {
      // The new folder's name lives in its parent: sync the parent to keep it.
      if (auto ec = sync_folder(parent_of(prefix))) {
        return ec;
      }
      continue;
    }

    // An existing component is fine if it is a folder; a file in the way is not.
    if (errno != EEXIST) {
      return last_error();
    }
    struct stat status {};
    if (::stat(prefix.c_str(), &status) != 0) {
      return last_error();
    }
    if (!S_ISDIR(status.st_mode)) {
      return system_error(ENOTDIR);
    }
  }
  return {};
}

Result<std::vector<std::string>> PosixStorage::list(const std::string& folder) {
  DIR* opened = ::opendir(folder.c_str());
  if (opened == nullptr) {
    return last_error();
  }

  // readdir() returns null both at the end and on failure; errno tells them apart.
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(opened);
    if (entry == nullptr) {
      break;
    }
    const std::string_view name = entry->d_name;
    if (name == "." || name == ".." || is_folder(opened, *entry)) {
      continue;
    }
    names.emplace_back(name);
  }
  const int read_error = errno;
  ::closedir(opened);
  if (read_error != 0) {
    return system_error(read_error);
  }

  // The folder's own order is arbitrary; callers get bytewise order in both worlds.
  std::sort(names.begin(), names.end());
  return names;
}

bool PosixStorage::exists(const std::string& path) {
  struct stat status {};
  return ::stat(path.c_str(), &status) == 0;
}

}  // namespace runtime
