#include "sim/disk.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "sim/world.hpp"

namespace sim {
namespace {

using runtime::error_code;

error_code system_error(std::errc error) {
  return {static_cast<int>(error), boost::system::system_category()};
}

// The symbolic name of an error a disk reports, so that traces read the same everywhere.
std::string errno_name(std::errc error) {
  switch (error) {
    case std::errc::io_error: return "EIO";
    case std::errc::no_space_on_device: return "ENOSPC";
    case std::errc::no_such_file_or_directory: return "ENOENT";
    case std::errc::file_exists: return "EEXIST";
    case std::errc::not_a_directory: return "ENOTDIR";
    case std::errc::is_a_directory: return "EISDIR";
    case std::errc::bad_file_descriptor: return "EBADF";
    case std::errc::permission_denied: return "EACCES";
    case std::errc::read_only_file_system: return "EROFS";
    default: return "errno " + std::to_string(static_cast<int>(error));
  }
}

// Removes empty and "." components and resolves ".." by name. The roots are "/" for
// absolute paths and "." for relative ones; `path` must not be empty.
std::string normalise(std::string_view path) {
  assert(!path.empty());
  const bool absolute = path.front() == '/';

  // Collect the components that remain.
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(part);
      }
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }

  // Join them under their root.
  std::string joined = absolute ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    joined += i == 0 ? "" : "/";
    joined += parts[i];
  }
  return joined.empty() ? "." : joined;
}

// A normalised path split into the folder holding it and its name in that folder. The
// roots have no name.
struct Location {
  std::string folder;
  std::string name;
};

Location locate(const std::string& normalised) {
  if (normalised == "/" || normalised == ".") {
    return {normalised, ""};
  }
  const std::size_t slash = normalised.rfind('/');
  if (slash == std::string::npos) {
    return {".", normalised};
  }
  if (slash == 0) {
    return {"/", normalised.substr(1)};
  }
  return {normalised.substr(0, slash), normalised.substr(slash + 1)};
}

bool is_root(const std::string& normalised) { return normalised == "/" || normalised == "."; }

struct Inode {
  std::string current;
  std::string synced;  // always a prefix of `current`: files only grow
  std::uint32_t links = 0;          // current names pointing here
  std::uint32_t durable_links = 0;  // durable names pointing here
  std::uint32_t open_handles = 0;   // handles opened since the last crash
};

struct Folder {
  std::map<std::string, std::uint64_t> current;  // name to inode
  std::map<std::string, std::uint64_t> durable;
  // Names whose current entry may differ from the durable one, so that syncing and
  // crashing cost the changes rather than the size of the folder.
  std::set<std::string> changed;
};

}  // namespace

std::string_view disk_op_name(DiskOp op) {
  switch (op) {
    case DiskOp::open: return "open";
    case DiskOp::write: return "write";
    case DiskOp::read: return "read";
    case DiskOp::sync: return "sync";
    case DiskOp::rename: return "rename";
    case DiskOp::remove: return "remove";
    case DiskOp::sync_directory: return "sync_directory";
    case DiskOp::create_directories: return "create_directories";
    case DiskOp::list: return "list";
  }
  return "unknown";
}

struct Disk::State {
  State(World& world_in, std::string node_name_in)
      : world(&world_in), node_name(std::move(node_name_in)) {
    folders.emplace(".", Folder{});
    folders.emplace("/", Folder{});
  }

  // Counts a call of `op` and fires the fault waiting for it, if any.
  error_code begin_call(DiskOp op, std::string_view path);
  // The folder at a normalised path: ENOTDIR when a file is in the way, else ENOENT.
  runtime::Result<Folder*> find_folder(const std::string& path);
  // Points `name` in `folder` at `inode`, or removes it, keeping the link counts.
  void set_name(Folder& folder, const std::string& name, std::optional<std::uint64_t> inode);
  // Makes the durable entry of `name` equal to its current one.
  void make_durable(Folder& folder, const std::string& name);
  // Drops an inode that nothing refers to any more, releasing its space.
  void collect(std::uint64_t inode);

  World* world;  // null once the Disk is destroyed
  std::string node_name;
  std::map<std::string, Folder> folders;  // by normalised path, the roots included
  std::map<std::uint64_t, Inode> inodes;
  std::uint64_t next_inode = 1;
  std::uint64_t generation = 0;  // crashes so far
  std::uint64_t capacity_bytes = 0;
  std::uint64_t used_bytes = 0;
  std::map<DiskOp, std::uint64_t> calls;
  std::map<std::pair<DiskOp, std::uint64_t>, std::errc> faults;  // by op and call number
};

error_code Disk::State::begin_call(DiskOp op, std::string_view path) {
  assert(world != nullptr);
  const std::uint64_t call = ++calls[op];
  auto fault = faults.find({op, call});
  if (fault == faults.end()) {
    return {};
  }
  const std::errc error = fault->second;
  faults.erase(fault);
  world->record(node_name, "disk.fault",
                {{"op", disk_op_name(op)}, {"path", path}, {"error", errno_name(error)}});
  return system_error(error);
}

runtime::Result<Folder*> Disk::State::find_folder(const std::string& path) {
  if (auto found = folders.find(path); found != folders.end()) {
    return &found->second;
  }

  // Walk up to the nearest folder that exists: if it holds a file named like the next
  // component, a file is in the way. The roots always exist, so the walk ends.
  std::string missing = path;
  while (!is_root(missing)) {
    const Location at = locate(missing);
    if (auto parent = folders.find(at.folder); parent != folders.end()) {
      const bool file = parent->second.current.contains(at.name);
      return system_error(file ? std::errc::not_a_directory
                               : std::errc::no_such_file_or_directory);
    }
    missing = at.folder;
  }
  return system_error(std::errc::no_such_file_or_directory);
}

void Disk::State::set_name(Folder& folder, const std::string& name,
                           std::optional<std::uint64_t> inode) {
  // Remember what the name pointed at, then point it at the new inode or drop it.
  std::optional<std::uint64_t> previous;
  if (auto found = folder.current.find(name); found != folder.current.end()) {
    previous = found->second;
    folder.current.erase(found);
  }
  if (inode) {
    ++inodes.at(*inode).links;
    folder.current.emplace(name, *inode);
  }
  folder.changed.insert(name);

  // The old inode may now be unreferenced.
  if (previous) {
    --inodes.at(*previous).links;
    collect(*previous);
  }
}

void Disk::State::make_durable(Folder& folder, const std::string& name) {
  // Release the durable entry, then copy the current one over it.
  std::optional<std::uint64_t> released;
  if (auto before = folder.durable.find(name); before != folder.durable.end()) {
    released = before->second;
    --inodes.at(before->second).durable_links;
    folder.durable.erase(before);
  }
  if (auto now = folder.current.find(name); now != folder.current.end()) {
    ++inodes.at(now->second).durable_links;
    folder.durable.emplace(name, now->second);
  }

  // The inode the durable name left may now be unreferenced.
  if (released) {
    collect(*released);
  }
}

void Disk::State::collect(std::uint64_t inode) {
  auto found = inodes.find(inode);
  assert(found != inodes.end());
  const Inode& node = found->second;
  if (node.links == 0 && node.durable_links == 0 && node.open_handles == 0) {
    used_bytes -= node.current.size();
    inodes.erase(found);
  }
}

// A file opened on the disk. It keeps the disk's state alive, so it stays safe (failing
// with EIO) after a crash and after the Disk itself is destroyed.
class Disk::Handle final : public runtime::File {
 public:
  Handle(std::shared_ptr<State> state, std::uint64_t inode, std::string path, bool writable)
      : state_(std::move(state)),
        inode_(inode),
        generation_(state_->generation),
        path_(std::move(path)),
        writable_(writable) {}

  ~Handle() override {
    // A crash already forgot the handles opened before it.
    if (generation_ == state_->generation) {
      --state_->inodes.at(inode_).open_handles;
      state_->collect(inode_);
    }
  }

  error_code write(std::span<const char> data) override {
    if (auto ec = begin(DiskOp::write)) {
      return ec;
    }
    if (!writable_) {
      return system_error(std::errc::bad_file_descriptor);
    }

    // A write that does not fit writes nothing.
    const std::uint64_t capacity = state_->capacity_bytes;
    if (capacity != 0 && state_->used_bytes + data.size() > capacity) {
      return system_error(std::errc::no_space_on_device);
    }
    state_->inodes.at(inode_).current.append(data.data(), data.size());
    state_->used_bytes += data.size();
    return {};
  }

  runtime::Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buffer) override {
    if (auto ec = begin(DiskOp::read)) {
      return ec;
    }
    const std::string& bytes = state_->inodes.at(inode_).current;
    if (offset >= bytes.size()) {
      return std::size_t{0};
    }
    const std::size_t count = std::min<std::uint64_t>(buffer.size(), bytes.size() - offset);
    std::copy_n(bytes.data() + offset, count, buffer.data());
    return count;
  }

  error_code sync() override {
    if (auto ec = begin(DiskOp::sync)) {
      return ec;
    }
    Inode& inode = state_->inodes.at(inode_);
    inode.synced = inode.current;
    return {};
  }

  runtime::Result<std::uint64_t> size() override {
    if (state_->world == nullptr || generation_ != state_->generation) {
      return system_error(std::errc::io_error);
    }
    return std::uint64_t{state_->inodes.at(inode_).current.size()};
  }

 private:
  // Counts the call and fires a waiting fault; EIO if the disk crashed since the open or is
  // gone (then nothing is counted: there is no world left to record a fault in).
  error_code begin(DiskOp op) {
    if (state_->world == nullptr) {
      return system_error(std::errc::io_error);
    }
    if (auto ec = state_->begin_call(op, path_)) {
      return ec;
    }
    if (generation_ != state_->generation) {
      return system_error(std::errc::io_error);
    }
    return {};
  }

  std::shared_ptr<State> state_;
  std::uint64_t inode_;
  std::uint64_t generation_;
  std::string path_;
  bool writable_;
};

Disk::Disk(World& world, std::string node_name)
    : state_(std::make_shared<State>(world, std::move(node_name))) {}

Disk::~Disk() { state_->world = nullptr; }

runtime::Result<std::unique_ptr<runtime::File>> Disk::open_file(const std::string& path,
                                                                runtime::OpenMode mode) {
  if (auto ec = state_->begin_call(DiskOp::open, path)) {
    return ec;
  }
  if (path.empty()) {
    return system_error(std::errc::no_such_file_or_directory);
  }

  // Folders are not files: a real open fails the same ways.
  const std::string normalised = normalise(path);
  if (state_->folders.contains(normalised)) {
    return system_error(mode == runtime::OpenMode::create_new ? std::errc::file_exists
                                                               : std::errc::is_a_directory);
  }
  const Location at = locate(normalised);
  auto folder = state_->find_folder(at.folder);
  if (!folder) {
    return folder.error();
  }

  // Find the file, or give a new inode the name.
  auto& names = folder.value()->current;
  const auto found = names.find(at.name);
  std::uint64_t inode = 0;
  if (mode == runtime::OpenMode::create_new) {
    if (found != names.end()) {
      return system_error(std::errc::file_exists);
    }
    inode = state_->next_inode++;
    state_->inodes.emplace(inode, Inode{});
    state_->set_name(*folder.value(), at.name, inode);
  } else {
    if (found == names.end()) {
      return system_error(std::errc::no_such_file_or_directory);
    }
    inode = found->second;
  }

  // The handle counts as a reference until it is destroyed.
  ++state_->inodes.at(inode).open_handles;
  const bool writable = mode != runtime::OpenMode::read;
  return std::unique_ptr<runtime::File>(
      std::make_unique<Handle>(state_, inode, path, writable));
}

runtime::error_code Disk::rename(const std::string& from, const std::string& to) {
  if (auto ec = state_->begin_call(DiskOp::rename, from)) {
    return ec;
  }
  if (from.empty() || to.empty()) {
    return system_error(std::errc::no_such_file_or_directory);
  }

  // The source must be a file.
  const std::string source = normalise(from);
  const std::string target = normalise(to);
  if (state_->folders.contains(source) || state_->folders.contains(target)) {
    return system_error(std::errc::is_a_directory);
  }
  const Location from_at = locate(source);
  auto from_folder = state_->find_folder(from_at.folder);
  if (!from_folder) {
    return from_folder.error();
  }
  const auto found = from_folder.value()->current.find(from_at.name);
  if (found == from_folder.value()->current.end()) {
    return system_error(std::errc::no_such_file_or_directory);
  }

  // The target's folder must exist; renaming a name onto itself changes nothing.
  const Location to_at = locate(target);
  auto to_folder = state_->find_folder(to_at.folder);
  if (!to_folder) {
    return to_folder.error();
  }
  if (source == target) {
    return {};
  }

  // Link the new name before unlinking the old, so the inode is never unreferenced.
  const std::uint64_t inode = found->second;
  state_->set_name(*to_folder.value(), to_at.name, inode);
  state_->set_name(*from_folder.value(), from_at.name, std::nullopt);
  return {};
}

runtime::error_code Disk::remove(const std::string& path) {
  if (auto ec = state_->begin_call(DiskOp::remove, path)) {
    return ec;
  }
  if (path.empty()) {
    return system_error(std::errc::no_such_file_or_directory);
  }
  const std::string normalised = normalise(path);
  if (state_->folders.contains(normalised)) {
    return system_error(std::errc::is_a_directory);
  }
  const Location at = locate(normalised);
  auto folder = state_->find_folder(at.folder);
  if (!folder) {
    return folder.error();
  }
  if (!folder.value()->current.contains(at.name)) {
    return system_error(std::errc::no_such_file_or_directory);
  }
  state_->set_name(*folder.value(), at.name, std::nullopt);
  return {};
}

runtime::error_code Disk::sync_directory(const std::string& folder) {
  if (auto ec = state_->begin_call(DiskOp::sync_directory, folder)) {
    return ec;
  }
  if (folder.empty()) {
    return system_error(std::errc::no_such_file_or_directory);
  }
  auto found = state_->find_folder(normalise(folder));
  if (!found) {
    return found.error();
  }
  Folder& synced = *found.value();
  for (const std::string& name : synced.changed) {
    state_->make_durable(synced, name);
  }
  synced.changed.clear();
  return {};
}

runtime::error_code Disk::create_directories(const std::string& folder) {
  if (auto ec = state_->begin_call(DiskOp::create_directories, folder)) {
    return ec;
  }
  if (folder.empty()) {
    return system_error(std::errc::no_such_file_or_directory);
  }

  // Every folder below the first missing one is missing too, so only that first one can
  // have a file in its place; check it before creating anything.
  const std::string normalised = normalise(folder);
  std::vector<std::string> missing;
  for (std::string path = normalised; !state_->folders.contains(path);
       path = locate(path).folder) {
    missing.push_back(path);
  }
  if (missing.empty()) {
    return {};
  }
  const Location first = locate(missing.back());
  if (state_->folders.at(first.folder).current.contains(first.name)) {
    return system_error(std::errc::not_a_directory);
  }

  // Folders are durable at once (see the header), so they need no durable names.
  for (const std::string& path : missing) {
    state_->folders.emplace(path, Folder{});
  }
  return {};
}

runtime::Result<std::vector<std::string>> Disk::list(const std::string& folder) {
  if (auto ec = state_->begin_call(DiskOp::list, folder)) {
    return ec;
  }
  if (folder.empty()) {
    return system_error(std::errc::no_such_file_or_directory);
  }
  auto found = state_->find_folder(normalise(folder));
  if (!found) {
    return found.error();
  }

  // The map is ordered by std::string's comparison, which is bytewise.
  std::vector<std::string> names;
  for (const auto& entry : found.value()->current) {
    names.push_back(entry.first);
  }
  return names;
}

bool Disk::exists(const std::string& path) {
  if (path.empty()) {
    return false;
  }
  const std::string normalised = normalise(path);
  if (state_->folders.contains(normalised)) {
    return true;
  }
  const Location at = locate(normalised);
  const auto folder = state_->folders.find(at.folder);
  return folder != state_->folders.end() && folder->second.current.contains(at.name);
}

void Disk::crash() {
  State& state = *state_;

  // Every folder goes back to its durable names; count the names that do not survive.
  std::uint64_t names_lost = 0;
  for (auto& [path, folder] : state.folders) {
    for (const std::string& name : folder.changed) {
      const auto now = folder.current.find(name);
      const auto before = folder.durable.find(name);
      const bool survives = before != folder.durable.end() && now != folder.current.end() &&
                            before->second == now->second;
      if (now != folder.current.end() && !survives) {
        ++names_lost;
      }
    }
    folder.current = folder.durable;
    folder.changed.clear();
  }

  // Every file goes back to its synced bytes; files without a durable name are gone.
  const std::uint64_t used_before = state.used_bytes;
  state.used_bytes = 0;
  for (auto it = state.inodes.begin(); it != state.inodes.end();) {
    Inode& inode = it->second;
    if (inode.durable_links == 0) {
      it = state.inodes.erase(it);
      continue;
    }
    inode.current = inode.synced;
    inode.links = inode.durable_links;
    inode.open_handles = 0;
    state.used_bytes += inode.current.size();
    ++it;
  }

  // Handles opened before now fail from here on.
  ++state.generation;
  state.world->record(state.node_name, "disk.crash",
                      {{"names_lost", names_lost},
                       {"bytes_lost", used_before - state.used_bytes}});
}

void Disk::inject_fault(DiskOp op, std::uint64_t nth, std::errc error) {
  assert(nth >= 1 && "the next call is nth = 1");
  state_->faults[{op, count(op) + nth}] = error;
}

void Disk::clear_faults() { state_->faults.clear(); }

void Disk::set_capacity(std::uint64_t bytes) { state_->capacity_bytes = bytes; }

std::uint64_t Disk::count(DiskOp op) const {
  const auto found = state_->calls.find(op);
  return found == state_->calls.end() ? 0 : found->second;
}

std::uint64_t Disk::bytes_used() const { return state_->used_bytes; }

}  // namespace sim
