#include "runtime/storage.hpp"

#include <array>

namespace runtime {

std::string join_path(std::string_view folder, std::string_view name) {
  std::string path(folder);
  if (!path.empty() && path.back() != '/') {
    path += '/';
  }
  path += name;
  return path;
}

error_code write_file_durably(Storage& storage, const std::string& folder,
                              const std::string& name, std::string_view data) {
  const std::string temporary = join_path(folder, ".tmp." + name);
  if (storage.exists(temporary)) {
    if (auto ec = storage.remove(temporary)) {
      return ec;
    }
  }

  // Write and sync the new content under the temporary name.
  auto opened = storage.open(temporary, OpenMode::create_new);
  if (!opened) {
    return opened.error();
  }
  auto& file = *opened.value();
  if (auto ec = file.write(std::span<const char>(data.data(), data.size()))) {
    return ec;
  }
  if (auto ec = file.sync()) {
    return ec;
  }

  // Move it into place, then make the new name durable.
  if (auto ec = storage.rename(temporary, join_path(folder, name))) {
    return ec;
  }
  return storage.sync_directory(folder);
}

Result<std::string> read_file(Storage& storage, const std::string& path) {
  auto opened = storage.open(path, OpenMode::read);
  if (!opened) {
    return opened.error();
  }
  auto& file = *opened.value();
  std::string content;
  std::array<char, 64 * 1024> chunk;
  for (;;) {
    auto got = file.read_at(content.size(), chunk);
    if (!got) {
      return got.error();
    }
    if (*got == 0) {
      return content;
    }
    content.append(chunk.data(), *got);
  }
}

}  // namespace runtime
