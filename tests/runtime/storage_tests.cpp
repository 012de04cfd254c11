// The observable storage contract (everything but crashes), as one table of cases run
// against PosixStorage in a fresh temporary folder and against the simulated disk, so
// that the two worlds are held to the same answers.
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "runtime/real/posix_storage.hpp"
#include "runtime/storage.hpp"
#include "sim/disk.hpp"
#include "sim/world.hpp"

namespace {

using runtime::error_code;
using runtime::OpenMode;
using runtime::Storage;
using Names = std::vector<std::string>;

error_code code(std::errc error) {
  return {static_cast<int>(error), boost::system::system_category()};
}

// A fresh folder under /tmp, removed with everything in it at the end.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    // mkdtemp(3) replaces the six 'X' that end the template.
    std::string pattern = "/tmp/mta-storage-" + std::string(6, 'X');
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Creates `path` holding `content`, synced but with its name not made durable.
error_code create_file(Storage& storage, const std::string& path, std::string_view content) {
  auto file = storage.open(path, OpenMode::create_new);
  if (!file) {
    return file.error();
  }
  if (auto ec = file.value()->write(content)) {
    return ec;
  }
  return file.value()->sync();
}

// The whole content of a file, or a description of the error, for one-line comparisons.
std::string content_of(Storage& storage, const std::string& path) {
  auto content = runtime::read_file(storage, path);
  return content ? content.value() : "error: " + content.error().message();
}

Names names_in(Storage& storage, const std::string& folder) {
  auto names = storage.list(folder);
  BOOST_TEST(names.has_value());
  return names ? names.value() : Names{};
}

using Case = void (*)(Storage& storage, const std::string& root);

struct NamedCase {
  std::string_view name;
  Case run;
};

const NamedCase contract_cases[] = {
    {"writes_append_and_read_back_at_any_offset",
     [](Storage& storage, const std::string& root) {
       auto file = storage.open(root + "/f", OpenMode::create_new);
       BOOST_TEST_REQUIRE(file.has_value());
       BOOST_TEST(!file.value()->write(std::string_view("hello ")));
       BOOST_TEST(!file.value()->write(std::string_view("world")));
       BOOST_TEST(!file.value()->sync());
       BOOST_TEST(file.value()->size().value() == 11u);

       // A short buffer, a read that reaches the end, and reads at and past the end.
       std::string buffer(5, '?');
       BOOST_TEST(file.value()->read_at(0, buffer).value() == 5u);
       BOOST_TEST(buffer == "hello");
       std::string rest(64, '?');
       BOOST_TEST(file.value()->read_at(6, rest).value() == 5u);
       BOOST_TEST(rest.substr(0, 5) == "world");
       BOOST_TEST(file.value()->read_at(11, rest).value() == 0u);
       BOOST_TEST(file.value()->read_at(1000, rest).value() == 0u);
     }},
    {"append_writes_after_the_existing_content",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!create_file(storage, root + "/f", "abc"));
       auto file = storage.open(root + "/f", OpenMode::append);
       BOOST_TEST_REQUIRE(file.has_value());
       BOOST_TEST(!file.value()->write(std::string_view("def")));
       BOOST_TEST(content_of(storage, root + "/f") == "abcdef");
     }},
    {"create_new_of_an_existing_name_fails_with_eexist_and_keeps_it",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!create_file(storage, root + "/f", "kept"));
       auto again = storage.open(root + "/f", OpenMode::create_new);
       BOOST_TEST_REQUIRE(!again.has_value());
       BOOST_TEST(again.error() == code(std::errc::file_exists));
       BOOST_TEST(content_of(storage, root + "/f") == "kept");
     }},
    {"a_missing_file_fails_with_enoent",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(storage.open(root + "/none", OpenMode::read).error() ==
                  code(std::errc::no_such_file_or_directory));
       BOOST_TEST(storage.open(root + "/none", OpenMode::append).error() ==
                  code(std::errc::no_such_file_or_directory));
       BOOST_TEST(storage.remove(root + "/none") == code(std::errc::no_such_file_or_directory));
       BOOST_TEST(storage.rename(root + "/none", root + "/other") ==
                  code(std::errc::no_such_file_or_directory));
       BOOST_TEST(!storage.exists(root + "/other"));
     }},
    {"a_missing_folder_fails_with_enoent",
     [](Storage& storage, const std::string& root) {
       const std::string missing = root + "/missing";
       const auto enoent = code(std::errc::no_such_file_or_directory);
       BOOST_TEST(storage.open(missing + "/f", OpenMode::create_new).error() == enoent);
       BOOST_TEST(storage.list(missing).error() == enoent);
       BOOST_TEST(storage.sync_directory(missing) == enoent);
       BOOST_TEST(!create_file(storage, root + "/f", "x"));
       BOOST_TEST(storage.rename(root + "/f", missing + "/f") == enoent);
       BOOST_TEST(storage.exists(root + "/f"));
     }},
    {"a_file_in_the_way_of_a_folder_fails_with_enotdir",
     [](Storage& storage, const std::string& root) {
       const std::string file = root + "/f";
       const auto enotdir = code(std::errc::not_a_directory);
       BOOST_TEST(!create_file(storage, file, "x"));
       BOOST_TEST(storage.open(file + "/g", OpenMode::create_new).error() == enotdir);
       BOOST_TEST(storage.create_directories(file) == enotdir);
       BOOST_TEST(storage.create_directories(file + "/sub") == enotdir);
       BOOST_TEST(storage.list(file).error() == enotdir);
       BOOST_TEST(storage.sync_directory(file) == enotdir);
       BOOST_TEST(content_of(storage, file) == "x");
     }},
    {"folders_are_not_files",
     [](Storage& storage, const std::string& root) {
       const std::string folder = root + "/sub";
       BOOST_TEST(!storage.create_directories(folder));
       BOOST_TEST(!create_file(storage, root + "/f", "x"));
       BOOST_TEST(storage.open(folder, OpenMode::read).error() == code(std::errc::is_a_directory));
       BOOST_TEST(storage.open(folder, OpenMode::create_new).error() ==
                  code(std::errc::file_exists));
       BOOST_TEST(storage.remove(folder) == code(std::errc::is_a_directory));
       BOOST_TEST(storage.rename(root + "/f", folder) == code(std::errc::is_a_directory));
       BOOST_TEST(storage.exists(folder));
       BOOST_TEST(storage.exists(root + "/f"));
     }},
    {"writing_a_file_opened_for_reading_fails_with_ebadf",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!create_file(storage, root + "/f", "x"));
       auto file = storage.open(root + "/f", OpenMode::read);
       BOOST_TEST_REQUIRE(file.has_value());
       BOOST_TEST(file.value()->write(std::string_view("y")) ==
                  code(std::errc::bad_file_descriptor));
       BOOST_TEST(content_of(storage, root + "/f") == "x");
     }},
    {"rename_replaces_the_target_and_removes_the_source",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!create_file(storage, root + "/a", "new"));
       BOOST_TEST(!create_file(storage, root + "/b", "old"));
       BOOST_TEST(!storage.rename(root + "/a", root + "/b"));
       BOOST_TEST(!storage.sync_directory(root));
       BOOST_TEST(!storage.exists(root + "/a"));
       BOOST_TEST(content_of(storage, root + "/b") == "new");
       BOOST_TEST(names_in(storage, root) == Names{"b"});
     }},
    {"rename_across_folders_moves_the_file",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!storage.create_directories(root + "/in"));
       BOOST_TEST(!storage.create_directories(root + "/out"));
       BOOST_TEST(!create_file(storage, root + "/in/m", "mail"));
       BOOST_TEST(!storage.rename(root + "/in/m", root + "/out/m"));
       BOOST_TEST(names_in(storage, root + "/in").empty());
       BOOST_TEST(content_of(storage, root + "/out/m") == "mail");
     }},
    {"rename_onto_itself_changes_nothing",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!create_file(storage, root + "/a", "same"));
       BOOST_TEST(!storage.rename(root + "/a", root + "/a"));
       BOOST_TEST(content_of(storage, root + "/a") == "same");
     }},
    {"remove_deletes_the_name",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!create_file(storage, root + "/a", "gone"));
       BOOST_TEST(!storage.remove(root + "/a"));
       BOOST_TEST(!storage.sync_directory(root));
       BOOST_TEST(!storage.exists(root + "/a"));
       BOOST_TEST(names_in(storage, root).empty());
       BOOST_TEST(storage.remove(root + "/a") == code(std::errc::no_such_file_or_directory));
     }},
    {"create_directories_makes_every_level_and_accepts_existing_ones",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!storage.create_directories(root + "/a/b/c"));
       BOOST_TEST(storage.exists(root + "/a"));
       BOOST_TEST(storage.exists(root + "/a/b/c"));
       BOOST_TEST(!storage.create_directories(root + "/a/b/c"));
       BOOST_TEST(!storage.create_directories(root + "/a"));
       BOOST_TEST(!create_file(storage, root + "/a/b/c/f", "deep"));
       BOOST_TEST(content_of(storage, root + "/a/b/c/f") == "deep");
     }},
    {"list_gives_file_names_sorted_bytewise_without_folders",
     [](Storage& storage, const std::string& root) {
       const Names created = {"b", "a", "B", "a.b", "a-b", "\x80x", "10", "9", "_"};
       for (const auto& name : created) {
         BOOST_TEST(!create_file(storage, root + "/" + name, name));
       }
       BOOST_TEST(!storage.create_directories(root + "/folder"));
       const Names sorted = {"10", "9", "B", "_", "a", "a-b", "a.b", "b", "\x80x"};
       BOOST_TEST(names_in(storage, root) == sorted);
     }},
    {"paths_with_doubled_slashes_dots_and_trailing_slashes_name_the_same_file",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!storage.create_directories(root + "/sub/"));
       BOOST_TEST(!create_file(storage, root + "//sub/./x", "same"));
       BOOST_TEST(content_of(storage, root + "/sub/x") == "same");
       BOOST_TEST(content_of(storage, root + "/sub/../sub/x") == "same");
       BOOST_TEST(storage.exists(root + "/./sub//x"));
       BOOST_TEST(names_in(storage, root + "/sub/") == Names{"x"});
       BOOST_TEST(!storage.sync_directory(root + "/sub/"));
     }},
    {"exists_tells_files_and_folders_from_missing_names",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!create_file(storage, root + "/f", ""));
       BOOST_TEST(storage.exists(root + "/f"));
       BOOST_TEST(storage.exists(root));
       BOOST_TEST(!storage.exists(root + "/g"));
       BOOST_TEST(!storage.exists(root + "/g/h"));
     }},
    {"write_file_durably_replaces_the_content_and_leaves_no_temporary_file",
     [](Storage& storage, const std::string& root) {
       BOOST_TEST(!runtime::write_file_durably(storage, root, "msg", "one"));
       BOOST_TEST(content_of(storage, root + "/msg") == "one");

       // A temporary file left by an earlier attempt does not get in the way.
       BOOST_TEST(!create_file(storage, root + "/.tmp.msg", "stale"));
       BOOST_TEST(!runtime::write_file_durably(storage, root, "msg", "two"));
       BOOST_TEST(content_of(storage, root + "/msg") == "two");
       BOOST_TEST(names_in(storage, root) == Names{"msg"});
     }},
    {"read_file_reads_files_larger_than_its_chunk",
     [](Storage& storage, const std::string& root) {
       std::string big;
       for (std::size_t i = 0; i < 200 * 1024; ++i) {
         big += static_cast<char>('a' + i % 26);
       }
       BOOST_TEST(!create_file(storage, root + "/big", big));
       BOOST_TEST(content_of(storage, root + "/big") == big);
     }},
};

// Runs every case in a folder of its own under `base`.
void run_contract(Storage& storage, const std::string& base) {
  int index = 0;
  for (const NamedCase& each : contract_cases) {
    BOOST_TEST_CONTEXT("case " << each.name) {
      const std::string root = base + "/case-" + std::to_string(index++);
      BOOST_TEST_REQUIRE(!storage.create_directories(root));
      each.run(storage, root);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(posix_storage)

BOOST_AUTO_TEST_CASE(contract_holds_on_posix_storage) {
  TemporaryFolder folder;
  runtime::PosixStorage storage;
  run_contract(storage, folder.path());
}

BOOST_AUTO_TEST_CASE(contract_holds_on_the_simulated_disk_too) {
  sim::World world;
  sim::Disk disk(world, "n");
  run_contract(disk, "/base");
  run_contract(disk, "relative/base");
}

BOOST_AUTO_TEST_CASE(files_and_folders_are_closed_to_other_users) {
  TemporaryFolder folder;
  runtime::PosixStorage storage;
  BOOST_TEST(!storage.create_directories(folder.path() + "/spool/new"));
  BOOST_TEST(!create_file(storage, folder.path() + "/spool/new/m", "private"));

  // Nothing for others anywhere; the group may list folders but never read mail.
  struct stat status {};
  BOOST_TEST_REQUIRE(::stat((folder.path() + "/spool/new").c_str(), &status) == 0);
  BOOST_TEST((status.st_mode & 0027) == 0u);
  BOOST_TEST_REQUIRE(::stat((folder.path() + "/spool/new/m").c_str(), &status) == 0);
  BOOST_TEST((status.st_mode & 0077) == 0u);
}

BOOST_AUTO_TEST_CASE(an_empty_path_names_nothing) {
  TemporaryFolder folder;
  runtime::PosixStorage posix;
  sim::World world;
  sim::Disk disk(world, "n");
  for (Storage* storage : {static_cast<Storage*>(&posix), static_cast<Storage*>(&disk)}) {
    const auto enoent = code(std::errc::no_such_file_or_directory);
    BOOST_TEST(storage->open("", OpenMode::create_new).error() == enoent);
    BOOST_TEST(storage->create_directories("") == enoent);
    BOOST_TEST(storage->list("").error() == enoent);
    BOOST_TEST(!storage->exists(""));
  }
}

BOOST_AUTO_TEST_SUITE_END()
