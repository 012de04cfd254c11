// Builds zip archives in memory for tests, with libarchive's writer (deflate, as mail
// clients compress attachments), so scanning inside archives is tested on real zips.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <archive.h>
#include <archive_entry.h>
#include <boost/test/unit_test.hpp>

namespace emulator_test {

inline std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out(1024 * 1024 + 64 * 1024, '\0');
  std::size_t used = 0;
  archive* writer = archive_write_new();
  BOOST_REQUIRE(archive_write_set_format_zip(writer) == ARCHIVE_OK);
  BOOST_REQUIRE(archive_write_open_memory(writer, out.data(), out.size(), &used) == ARCHIVE_OK);
  for (const auto& [name, content] : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    BOOST_REQUIRE(archive_write_header(writer, entry) == ARCHIVE_OK);
    BOOST_REQUIRE(archive_write_data(writer, content.data(), content.size()) ==
                  static_cast<la_ssize_t>(content.size()));
    archive_entry_free(entry);
  }
  BOOST_REQUIRE(archive_write_close(writer) == ARCHIVE_OK);
  archive_write_free(writer);
  out.resize(used);
  return out;
}

}  // namespace emulator_test
