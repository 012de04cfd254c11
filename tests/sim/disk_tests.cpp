// The simulated disk: what survives a crash, fault injection, capacity, call counts, and
// the trace. The contract it shares with the real filesystem is checked against both in
// tests/runtime/storage_tests.cpp.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "runtime/storage.hpp"
#include "sim/disk.hpp"
#include "sim/world.hpp"

namespace {

using runtime::error_code;
using runtime::OpenMode;
using runtime::Storage;
using sim::DiskOp;
using Names = std::vector<std::string>;

const std::string missing = "<missing>";

error_code code(std::errc error) {
  return {static_cast<int>(error), boost::system::system_category()};
}

// A world with one node and its disk, holding an empty folder "spool".
struct Fixture {
  Fixture() {
    world.trace().keep_lines(true);
    BOOST_TEST_REQUIRE(!disk.create_directories("spool"));
  }

  sim::World world;
  sim::Node& node = world.add_node("n", "10.0.0.1");
  sim::Disk& disk = node.disk();
};

// Creates `path` holding `content`; syncs the data only when asked.
void create(Storage& storage, const std::string& path, std::string_view content,
            bool sync_data) {
  auto file = storage.open(path, OpenMode::create_new);
  BOOST_TEST_REQUIRE(file.has_value());
  BOOST_TEST_REQUIRE(!file.value()->write(content));
  if (sync_data) {
    BOOST_TEST_REQUIRE(!file.value()->sync());
  }
}

// Creates `path` with synced data and a durable name.
void create_durable(Storage& storage, const std::string& path, std::string_view content) {
  create(storage, path, content, true);
  BOOST_TEST_REQUIRE(!storage.sync_directory(path.substr(0, path.rfind('/'))));
}

void append(Storage& storage, const std::string& path, std::string_view content,
            bool sync_data) {
  auto file = storage.open(path, OpenMode::append);
  BOOST_TEST_REQUIRE(file.has_value());
  BOOST_TEST_REQUIRE(!file.value()->write(content));
  if (sync_data) {
    BOOST_TEST_REQUIRE(!file.value()->sync());
  }
}

// The content of a file, `missing` when there is none, or a description of the error.
std::string content_of(Storage& storage, const std::string& path) {
  auto content = runtime::read_file(storage, path);
  if (content) {
    return content.value();
  }
  if (content.error() == code(std::errc::no_such_file_or_directory)) {
    return missing;
  }
  return "<error: " + content.error().message() + ">";
}

// ---------------------------------------------------------------------------------------
// What a crash keeps.

struct CrashCase {
  std::string_view name;
  void (*before_crash)(sim::Disk& disk);
  std::vector<std::pair<std::string, std::string>> after_crash;  // path and content
};

const CrashCase crash_cases[] = {
    {"synced_data_under_a_synced_name_survives",
     [](sim::Disk& disk) { create_durable(disk, "spool/a", "abc"); },
     {{"spool/a", "abc"}}},
    {"data_written_after_the_last_sync_is_lost",
     [](sim::Disk& disk) {
       create_durable(disk, "spool/a", "abc");
       append(disk, "spool/a", "def", false);
     },
     {{"spool/a", "abc"}}},
    {"a_new_name_without_a_folder_sync_is_lost",
     [](sim::Disk& disk) { create(disk, "spool/a", "abc", true); },
     {{"spool/a", missing}}},
    {"a_synced_name_whose_data_was_never_synced_comes_back_empty",
     [](sim::Disk& disk) {
       create(disk, "spool/a", "abc", false);
       BOOST_TEST(!disk.sync_directory("spool"));
     },
     {{"spool/a", ""}}},
    {"data_synced_after_its_name_was_made_durable_survives",
     [](sim::Disk& disk) {
       create(disk, "spool/a", "abc", false);
       BOOST_TEST(!disk.sync_directory("spool"));
       append(disk, "spool/a", "", true);
     },
     {{"spool/a", "abc"}}},
    {"a_rename_without_a_folder_sync_reverts",
     [](sim::Disk& disk) {
       create_durable(disk, "spool/a", "old");
       create(disk, "spool/t", "new", true);
       BOOST_TEST(!disk.rename("spool/t", "spool/a"));
     },
     {{"spool/a", "old"}, {"spool/t", missing}}},
    {"a_rename_of_a_durable_name_without_a_folder_sync_keeps_the_old_name",
     [](sim::Disk& disk) {
       create_durable(disk, "spool/a", "abc");
       BOOST_TEST(!disk.rename("spool/a", "spool/b"));
     },
     {{"spool/a", "abc"}, {"spool/b", missing}}},
    {"a_rename_with_a_folder_sync_sticks",
     [](sim::Disk& disk) {
       create_durable(disk, "spool/a", "old");
       create(disk, "spool/t", "new", true);
       BOOST_TEST(!disk.rename("spool/t", "spool/a"));
       BOOST_TEST(!disk.sync_directory("spool"));
     },
     {{"spool/a", "new"}, {"spool/t", missing}}},
    {"a_remove_without_a_folder_sync_resurrects_the_file",
     [](sim::Disk& disk) {
       create_durable(disk, "spool/a", "abc");
       BOOST_TEST(!disk.remove("spool/a"));
     },
     {{"spool/a", "abc"}}},
    {"a_remove_with_a_folder_sync_stays_removed",
     [](sim::Disk& disk) {
       create_durable(disk, "spool/a", "abc");
       BOOST_TEST(!disk.remove("spool/a"));
       BOOST_TEST(!disk.sync_directory("spool"));
     },
     {{"spool/a", missing}}},
    {"a_name_removed_and_created_again_without_a_folder_sync_is_the_old_file",
     [](sim::Disk& disk) {
       create_durable(disk, "spool/a", "old");
       BOOST_TEST(!disk.remove("spool/a"));
       create(disk, "spool/a", "new", true);
     },
     {{"spool/a", "old"}}},
    {"a_rename_across_folders_with_only_the_target_synced_leaves_both_names",
     [](sim::Disk& disk) {
       BOOST_TEST(!disk.create_directories("spool/out"));
       create_durable(disk, "spool/m", "mail");
       BOOST_TEST(!disk.rename("spool/m", "spool/out/m"));
       BOOST_TEST(!disk.sync_directory("spool/out"));
     },
     {{"spool/m", "mail"}, {"spool/out/m", "mail"}}},
    {"a_rename_across_folders_with_only_the_source_synced_loses_both_names",
     [](sim::Disk& disk) {
       BOOST_TEST(!disk.create_directories("spool/out"));
       create_durable(disk, "spool/m", "mail");
       BOOST_TEST(!disk.rename("spool/m", "spool/out/m"));
       BOOST_TEST(!disk.sync_directory("spool"));
     },
     {{"spool/m", missing}, {"spool/out/m", missing}}},
    {"a_rename_across_folders_with_both_synced_moves_the_file",
     [](sim::Disk& disk) {
       BOOST_TEST(!disk.create_directories("spool/out"));
       create_durable(disk, "spool/m", "mail");
       BOOST_TEST(!disk.rename("spool/m", "spool/out/m"));
       BOOST_TEST(!disk.sync_directory("spool/out"));
       BOOST_TEST(!disk.sync_directory("spool"));
     },
     {{"spool/m", missing}, {"spool/out/m", "mail"}}},
};

// ---------------------------------------------------------------------------------------
// Crashing in the middle of a sequence of calls.

// Passes calls through to a disk and crashes it right after the nth step that changes
// something (open, write, sync, rename, remove, folder sync or creation). From then on
// every call fails with EIO: the process that made them is gone.
class CrashAfterSteps final : public Storage {
 public:
  // With `limit` 0 it never crashes and only counts the steps.
  CrashAfterSteps(sim::Disk& disk, std::uint64_t limit) : disk_(disk), limit_(limit) {}

  std::uint64_t steps() const { return steps_; }
  bool crashed() const { return crashed_; }

  runtime::Result<std::unique_ptr<runtime::File>> open(const std::string& path,
                                                       OpenMode mode) override;
  error_code rename(const std::string& from, const std::string& to) override {
    return crashed_ ? eio() : step(disk_.rename(from, to));
  }
  error_code remove(const std::string& path) override {
    return crashed_ ? eio() : step(disk_.remove(path));
  }
  error_code sync_directory(const std::string& folder) override {
    return crashed_ ? eio() : step(disk_.sync_directory(folder));
  }
  error_code create_directories(const std::string& folder) override {
    return crashed_ ? eio() : step(disk_.create_directories(folder));
  }
  runtime::Result<std::vector<std::string>> list(const std::string& folder) override {
    if (crashed_) {
      return eio();
    }
    return disk_.list(folder);
  }
  bool exists(const std::string& path) override { return !crashed_ && disk_.exists(path); }

  // Counts a step that produced `result`, crashing the disk after the last allowed one.
  error_code step(error_code result) {
    if (++steps_ == limit_) {
      disk_.crash();
      crashed_ = true;
    }
    return result;
  }

  static error_code eio() { return code(std::errc::io_error); }

 private:
  sim::Disk& disk_;
  std::uint64_t limit_;
  std::uint64_t steps_ = 0;
  bool crashed_ = false;
};

class StepFile final : public runtime::File {
 public:
  StepFile(CrashAfterSteps& owner, std::unique_ptr<runtime::File> file)
      : owner_(owner), file_(std::move(file)) {}

  error_code write(std::span<const char> data) override {
    return owner_.crashed() ? CrashAfterSteps::eio() : owner_.step(file_->write(data));
  }
  runtime::Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buffer) override {
    if (owner_.crashed()) {
      return CrashAfterSteps::eio();
    }
    return file_->read_at(offset, buffer);
  }
  error_code sync() override {
    return owner_.crashed() ? CrashAfterSteps::eio() : owner_.step(file_->sync());
  }
  runtime::Result<std::uint64_t> size() override { return file_->size(); }

 private:
  CrashAfterSteps& owner_;
  std::unique_ptr<runtime::File> file_;
};

runtime::Result<std::unique_ptr<runtime::File>> CrashAfterSteps::open(const std::string& path,
                                                                      OpenMode mode) {
  if (crashed_) {
    return eio();
  }
  auto opened = disk_.open(path, mode);
  step({});
  if (!opened) {
    return opened.error();
  }
  return std::unique_ptr<runtime::File>(
      std::make_unique<StepFile>(*this, std::move(opened.value())));
}

// What spool/msg holds before write_file_durably replaces it.
struct Before {
  std::string_view name;
  void (*prepare)(sim::Disk& disk);
  std::string content;  // of spool/msg, or `missing`
};

const Before befores[] = {
    {"no_file_yet", [](sim::Disk&) {}, missing},
    {"an_old_file", [](sim::Disk& disk) { create_durable(disk, "spool/msg", "old"); }, "old"},
    {"an_old_file_and_a_stale_temporary",
     [](sim::Disk& disk) {
       create_durable(disk, "spool/msg", "old");
       create_durable(disk, "spool/.tmp.msg", "stale");
     },
     "old"},
};

// ---------------------------------------------------------------------------------------
// Failing one call and checking that it changed nothing, durable state included.

// Everything observable about "spool", before and after a crash (which it performs).
std::string observe_and_crash(sim::Disk& disk) {
  std::string seen;
  for (int round = 0; round < 2; ++round) {
    auto names = disk.list("spool");
    BOOST_TEST_REQUIRE(names.has_value());
    for (const auto& name : names.value()) {
      seen += name + "=" + content_of(disk, "spool/" + name) + ";";
    }
    seen += disk.exists("spool/sub") ? "sub;" : "";
    seen += "used=" + std::to_string(disk.bytes_used()) + "|";
    if (round == 0) {
      disk.crash();
    }
  }
  return seen;
}

// a: durable with synced data; b: durable name, unsynced data; c: synced data, new name.
void prepare_mixed(sim::Disk& disk) {
  create_durable(disk, "spool/a", "alpha");
  create(disk, "spool/b", "beta", false);
  BOOST_TEST_REQUIRE(!disk.sync_directory("spool"));
  create(disk, "spool/c", "gamma", true);
}

struct FaultCase {
  DiskOp op;
  bool changes_state;  // whether the call, when it succeeds, changes what is observed
  error_code (*act)(sim::Disk& disk);
};

const FaultCase fault_cases[] = {
    {DiskOp::open, true,
     [](sim::Disk& disk) { return disk.open("spool/e", OpenMode::create_new).error(); }},
    {DiskOp::write, true,
     [](sim::Disk& disk) {
       auto file = disk.open("spool/b", OpenMode::append);
       return file ? file.value()->write(std::string_view("x")) : file.error();
     }},
    {DiskOp::read, false,
     [](sim::Disk& disk) {
       auto file = disk.open("spool/a", OpenMode::read);
       std::string buffer(8, '?');
       return file ? file.value()->read_at(0, buffer).error() : file.error();
     }},
    {DiskOp::sync, true,
     [](sim::Disk& disk) {
       auto file = disk.open("spool/b", OpenMode::append);
       return file ? file.value()->sync() : file.error();
     }},
    {DiskOp::rename, true, [](sim::Disk& disk) { return disk.rename("spool/a", "spool/d"); }},
    {DiskOp::remove, true, [](sim::Disk& disk) { return disk.remove("spool/a"); }},
    {DiskOp::sync_directory, true, [](sim::Disk& disk) { return disk.sync_directory("spool"); }},
    {DiskOp::create_directories, true,
     [](sim::Disk& disk) { return disk.create_directories("spool/sub"); }},
    {DiskOp::list, false, [](sim::Disk& disk) { return disk.list("spool").error(); }},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(disk)

BOOST_AUTO_TEST_CASE(a_crash_keeps_exactly_what_was_made_durable) {
  for (const CrashCase& each : crash_cases) {
    BOOST_TEST_CONTEXT("case " << each.name) {
      Fixture fixture;
      each.before_crash(fixture.disk);
      fixture.disk.crash();
      for (const auto& [path, content] : each.after_crash) {
        BOOST_TEST(content_of(fixture.disk, path) == content, path);
        BOOST_TEST(fixture.disk.exists(path) == (content != missing), path);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(write_file_durably_leaves_the_old_or_the_new_content_after_any_step) {
  for (const Before& before : befores) {
    // Count the steps of an undisturbed run.
    std::uint64_t steps = 0;
    {
      Fixture fixture;
      before.prepare(fixture.disk);
      CrashAfterSteps counter(fixture.disk, 0);
      BOOST_TEST_REQUIRE(!runtime::write_file_durably(counter, "spool", "msg", "new"));
      steps = counter.steps();
    }
    BOOST_TEST(steps >= 5u);

    for (std::uint64_t limit = 1; limit <= steps; ++limit) {
      BOOST_TEST_CONTEXT(before.name << ", crash after step " << limit << " of " << steps) {
        Fixture fixture;
        before.prepare(fixture.disk);
        CrashAfterSteps crashing(fixture.disk, limit);
        const error_code result = runtime::write_file_durably(crashing, "spool", "msg", "new");
        BOOST_TEST_REQUIRE(crashing.crashed());

        // Old or new, never a mix; and new whenever the call reported success.
        const std::string got = content_of(fixture.disk, "spool/msg");
        BOOST_TEST((got == before.content || got == "new"), "got " << got);
        if (!result) {
          BOOST_TEST(got == "new");
        }

        // After the restart, writing again works and cleans up any leftover.
        BOOST_TEST(!runtime::write_file_durably(fixture.disk, "spool", "msg", "newer"));
        fixture.disk.crash();
        BOOST_TEST(content_of(fixture.disk, "spool/msg") == "newer");
        BOOST_TEST(fixture.disk.list("spool").value() == Names{"msg"});
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(write_file_durably_that_fails_at_any_step_leaves_the_old_content) {
  struct Step {
    DiskOp op;
    std::string_view content_now;  // of spool/msg right after the failure
  };
  const Step steps[] = {
      {DiskOp::remove, "old"}, {DiskOp::open, "old"},   {DiskOp::write, "old"},
      {DiskOp::sync, "old"},   {DiskOp::rename, "old"}, {DiskOp::sync_directory, "new"},
  };
  for (const Step& step : steps) {
    for (std::errc error : {std::errc::io_error, std::errc::no_space_on_device}) {
      BOOST_TEST_CONTEXT(sim::disk_op_name(step.op) << " fails with " << static_cast<int>(error)) {
        Fixture fixture;
        befores[2].prepare(fixture.disk);
        fixture.disk.inject_fault(step.op, 1, error);
        BOOST_TEST(runtime::write_file_durably(fixture.disk, "spool", "msg", "new") ==
                   code(error));
        BOOST_TEST(content_of(fixture.disk, "spool/msg") == step.content_now);

        // The new content was never made durable, so a crash brings back the old one.
        fixture.disk.crash();
        BOOST_TEST(content_of(fixture.disk, "spool/msg") == "old");

        // A retry succeeds and sticks.
        BOOST_TEST(!runtime::write_file_durably(fixture.disk, "spool", "msg", "new"));
        fixture.disk.crash();
        BOOST_TEST(content_of(fixture.disk, "spool/msg") == "new");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(an_injected_fault_fails_its_call_and_changes_nothing) {
  for (const FaultCase& each : fault_cases) {
    for (std::errc error : {std::errc::io_error, std::errc::no_space_on_device}) {
      BOOST_TEST_CONTEXT(sim::disk_op_name(each.op) << " fails with " << static_cast<int>(error)) {
        // The same state three times: untouched, hit by the failing call, and changed by
        // the call succeeding (to show the comparison can tell).
        Fixture untouched;
        Fixture failed;
        Fixture succeeded;
        for (Fixture* fixture : {&untouched, &failed, &succeeded}) {
          prepare_mixed(fixture->disk);
        }
        failed.disk.inject_fault(each.op, 1, error);
        BOOST_TEST(each.act(failed.disk) == code(error));
        BOOST_TEST(!each.act(succeeded.disk));

        const std::string expected = observe_and_crash(untouched.disk);
        BOOST_TEST(observe_and_crash(failed.disk) == expected);
        BOOST_TEST((observe_and_crash(succeeded.disk) != expected) == each.changes_state);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(faults_count_calls_per_operation_and_several_can_wait) {
  Fixture fixture;
  auto& disk = fixture.disk;
  auto file = disk.open("spool/f", OpenMode::create_new);
  BOOST_TEST_REQUIRE(file.has_value());
  disk.inject_fault(DiskOp::write, 2, std::errc::io_error);
  disk.inject_fault(DiskOp::write, 3, std::errc::no_space_on_device);
  disk.inject_fault(DiskOp::sync, 1, std::errc::io_error);

  // Reads and syncs in between do not move the write faults.
  std::string buffer(4, '?');
  BOOST_TEST(!file.value()->write(std::string_view("a")));
  BOOST_TEST(file.value()->read_at(0, buffer).value() == 1u);
  BOOST_TEST(file.value()->sync() == code(std::errc::io_error));
  BOOST_TEST(file.value()->write(std::string_view("b")) == code(std::errc::io_error));
  BOOST_TEST(file.value()->write(std::string_view("c")) == code(std::errc::no_space_on_device));
  BOOST_TEST(!file.value()->write(std::string_view("d")));
  BOOST_TEST(!file.value()->sync());
  BOOST_TEST(content_of(disk, "spool/f") == "ad");
  BOOST_TEST(disk.count(DiskOp::write) == 4u);
  BOOST_TEST(disk.count(DiskOp::sync) == 2u);
}

BOOST_AUTO_TEST_CASE(cleared_faults_no_longer_fire) {
  Fixture fixture;
  fixture.disk.inject_fault(DiskOp::list, 1, std::errc::io_error);
  fixture.disk.clear_faults();
  BOOST_TEST(fixture.disk.list("spool").has_value());
}

BOOST_AUTO_TEST_CASE(counts_include_failed_calls) {
  Fixture fixture;
  auto& disk = fixture.disk;
  const auto enoent = code(std::errc::no_such_file_or_directory);
  const std::uint64_t create_calls = disk.count(DiskOp::create_directories);
  BOOST_TEST(disk.open("spool/none", OpenMode::read).error() == enoent);
  BOOST_TEST(disk.rename("spool/none", "spool/x") == enoent);
  BOOST_TEST(disk.remove("spool/none") == enoent);
  BOOST_TEST(disk.sync_directory("none") == enoent);
  BOOST_TEST(disk.list("none").error() == enoent);
  for (DiskOp op : {DiskOp::open, DiskOp::rename, DiskOp::remove, DiskOp::sync_directory,
                    DiskOp::list}) {
    BOOST_TEST(disk.count(op) == 1u, sim::disk_op_name(op));
  }
  BOOST_TEST(disk.count(DiskOp::write) == 0u);
  BOOST_TEST(disk.count(DiskOp::create_directories) == create_calls);
}

BOOST_AUTO_TEST_CASE(a_write_beyond_the_capacity_fails_with_enospc_and_writes_nothing) {
  Fixture fixture;
  auto& disk = fixture.disk;
  disk.set_capacity(10);
  auto file = disk.open("spool/f", OpenMode::create_new);
  BOOST_TEST_REQUIRE(file.has_value());
  BOOST_TEST(!file.value()->write(std::string_view("123456")));
  BOOST_TEST(file.value()->write(std::string_view("12345")) ==
             code(std::errc::no_space_on_device));
  BOOST_TEST(file.value()->size().value() == 6u);
  BOOST_TEST(!file.value()->write(std::string_view("1234")));
  BOOST_TEST(disk.bytes_used() == 10u);
  BOOST_TEST(file.value()->write(std::string_view("1")) == code(std::errc::no_space_on_device));

  // Removing the file, closing it and syncing the folder gives the space back.
  file.value().reset();
  BOOST_TEST(!disk.remove("spool/f"));
  BOOST_TEST(disk.bytes_used() == 0u);
  create(disk, "spool/g", "0123456789", true);
}

BOOST_AUTO_TEST_CASE(a_removed_file_keeps_its_space_while_a_crash_could_bring_it_back) {
  Fixture fixture;
  auto& disk = fixture.disk;
  create_durable(disk, "spool/f", "12345");
  BOOST_TEST(!disk.remove("spool/f"));
  BOOST_TEST(disk.bytes_used() == 5u);
  BOOST_TEST(!disk.sync_directory("spool"));
  BOOST_TEST(disk.bytes_used() == 0u);
}

BOOST_AUTO_TEST_CASE(a_handle_from_before_a_crash_holds_no_space) {
  Fixture fixture;
  auto& disk = fixture.disk;
  create_durable(disk, "spool/f", "12345");
  auto stale = disk.open("spool/f", OpenMode::read);
  BOOST_TEST_REQUIRE(stale.has_value());
  disk.crash();

  // The restarted process removes the file while the old handle still exists.
  BOOST_TEST(!disk.remove("spool/f"));
  BOOST_TEST(!disk.sync_directory("spool"));
  BOOST_TEST(disk.bytes_used() == 0u);
  stale.value().reset();
  BOOST_TEST(disk.bytes_used() == 0u);
}

BOOST_AUTO_TEST_CASE(files_opened_before_a_crash_fail_with_eio) {
  Fixture fixture;
  auto& disk = fixture.disk;
  create_durable(disk, "spool/kept", "abc");
  auto kept = disk.open("spool/kept", OpenMode::append);
  auto lost = disk.open("spool/lost", OpenMode::create_new);
  BOOST_TEST_REQUIRE(kept.has_value());
  BOOST_TEST_REQUIRE(lost.has_value());
  disk.crash();

  // Every call on an old handle fails, whether or not its file survived.
  const auto eio = code(std::errc::io_error);
  std::string buffer(4, '?');
  for (auto* file : {kept.value().get(), lost.value().get()}) {
    BOOST_TEST(file->write(std::string_view("x")) == eio);
    BOOST_TEST(file->read_at(0, buffer).error() == eio);
    BOOST_TEST(file->sync() == eio);
    BOOST_TEST(file->size().error() == eio);
  }

  // The disk itself works on: a new handle writes and reads.
  append(disk, "spool/kept", "def", true);
  BOOST_TEST(content_of(disk, "spool/kept") == "abcdef");
  BOOST_TEST(!disk.exists("spool/lost"));
}

BOOST_AUTO_TEST_CASE(files_that_outlive_their_disk_and_world_fail_with_eio) {
  std::unique_ptr<runtime::File> file;
  {
    sim::World world;
    sim::Disk disk(world, "d");
    BOOST_TEST_REQUIRE(!disk.create_directories("spool"));
    auto opened = disk.open("spool/f", OpenMode::create_new);
    BOOST_TEST_REQUIRE(opened.has_value());
    file = std::move(opened.value());
  }
  BOOST_TEST(file->write(std::string_view("x")) == code(std::errc::io_error));
  BOOST_TEST(file->sync() == code(std::errc::io_error));
  BOOST_TEST(file->size().error() == code(std::errc::io_error));
}

BOOST_AUTO_TEST_CASE(crashes_and_faults_are_recorded_in_the_trace) {
  Fixture fixture;
  auto& disk = fixture.disk;

  // Lost: two unsynced bytes of a, and the three bytes under b's new name.
  create_durable(disk, "spool/a", "abc");
  append(disk, "spool/a", "de", false);
  create(disk, "spool/b", "xyz", true);
  disk.crash();
  const std::string& trace = fixture.world.trace().text();
  BOOST_TEST(trace.find(R"("node": "n", "event": "disk.crash", "names_lost": 1, )"
                        R"("bytes_lost": 5})") != std::string::npos,
             trace);

  disk.inject_fault(DiskOp::rename, 1, std::errc::io_error);
  BOOST_TEST(disk.rename("spool/a", "spool/z") == code(std::errc::io_error));
  BOOST_TEST(trace.find(R"("event": "disk.fault", "op": "rename", "path": "spool/a", )"
                        R"("error": "EIO"})") != std::string::npos,
             trace);
}

BOOST_AUTO_TEST_CASE(folders_are_durable_at_once) {
  Fixture fixture;
  BOOST_TEST(!fixture.disk.create_directories("/var/spool/incoming"));
  fixture.disk.crash();
  BOOST_TEST(fixture.disk.exists("/var/spool/incoming"));
  BOOST_TEST(fixture.disk.list("/var/spool").value().empty());
}

BOOST_AUTO_TEST_CASE(paths_are_normalised_keys_and_relative_ones_are_not_absolute) {
  Fixture fixture;
  auto& disk = fixture.disk;
  create(disk, "./spool//x", "relative", true);
  BOOST_TEST(content_of(disk, "spool/x") == "relative");
  BOOST_TEST(content_of(disk, "spool/sub/../x") == "relative");
  BOOST_TEST(!disk.exists("/spool/x"));
  BOOST_TEST(!disk.exists("/spool"));
  BOOST_TEST(disk.list("spool/").value() == Names{"x"});
}

BOOST_AUTO_TEST_CASE(list_sorts_names_bytewise) {
  Fixture fixture;
  for (const char* name : {"\xff", "b", "Z", "a", "\x01"}) {
    create(fixture.disk, std::string("spool/") + name, "", false);
  }
  BOOST_TEST(fixture.disk.list("spool").value() == (Names{"\x01", "Z", "a", "b", "\xff"}));
}

BOOST_AUTO_TEST_SUITE_END()
