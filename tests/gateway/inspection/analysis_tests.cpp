// Analysis of ordinary messages: which parts are files, their paths, names, ranges and
// hashes, and that a large attachment is read in bounded pieces.
#include <algorithm>
#include <string>

#include <boost/test/unit_test.hpp>

#include "gateway/inspection/message_analysis.hpp"
#include "gateway/inspection/sha256.hpp"
#include "inspection_support.hpp"

namespace {

using gateway::inspection::ContentSource;
using gateway::inspection::Placement;
using gateway::inspection::StringContentSource;
using inspection_test::base64;
using inspection_test::crlf;

std::string sha256_of(std::string_view bytes) {
  gateway::inspection::Sha256 hash;
  hash.update(bytes);
  return hash.finish_hex();
}

// A source that remembers the largest single read asked of it.
class CountingSource final : public ContentSource {
 public:
  explicit CountingSource(std::string bytes) : inner_(std::move(bytes)) {}
  std::uint64_t size() override { return inner_.size(); }
  runtime::Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buffer) override {
    largest_read_ = std::max(largest_read_, buffer.size());
    return inner_.read_at(offset, buffer);
  }
  std::size_t largest_read() const { return largest_read_; }

 private:
  StringContentSource inner_;
  std::size_t largest_read_ = 0;
};

const std::string nested_message = crlf(
    "From: a@example.org\nSubject: outer\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
    "preamble text\n"
    "--outer\nContent-Type: text/plain; charset=utf-8\n\nHello.\n"
    "--outer\nContent-Type: multipart/alternative; boundary=alt\n\n"
    "--alt\nContent-Type: text/plain\n\nplain\n--alt\nContent-Type: text/html\n\n<p>html</p>\n"
    "--alt\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n" +
    base64("PNGDATA") +
    "--alt--\n"
    "--outer\nContent-Type: message/rfc822\n\n"
    "From: b@example.org\nSubject: inner\nContent-Type: multipart/mixed; boundary=in\n\n"
    "--in\nContent-Type: application/pdf; name=doc.pdf\nContent-Transfer-Encoding: base64\n\n" +
    base64("%PDF-1.4 fake") +
    "--in--\n"
    "--outer\nContent-Type: text/plain\nContent-Disposition: attachment; filename=notes.txt\n\n"
    "some notes\n--outer--\nepilogue\n");

BOOST_AUTO_TEST_SUITE(inspection_analysis)

BOOST_AUTO_TEST_CASE(files_are_listed_in_message_order_with_imap_part_paths) {
  const auto analysis = inspection_test::analyse_text(nested_message);
  BOOST_TEST_REQUIRE(analysis.files.size() == 3u);

  struct Want {
    std::string name, type, path, bytes;
  };
  const Want wants[] = {{"part-2.3", "image/png", "2.3", "PNGDATA"},
                        {"doc.pdf", "application/pdf", "3.1", "%PDF-1.4 fake"},
                        {"notes.txt", "text/plain", "4", crlf("some notes")}};
  StringContentSource source(nested_message);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& file = analysis.files[i];
    BOOST_TEST_CONTEXT("file " << i) {
      BOOST_TEST(file.file_name == wants[i].name);
      BOOST_TEST(file.content_type == wants[i].type);
      BOOST_TEST(file.part_path == wants[i].path);
      BOOST_TEST(!file.unscannable());
      BOOST_TEST(inspection_test::decoded(source, file) == wants[i].bytes);
      BOOST_TEST(file.size_bytes == wants[i].bytes.size());
      BOOST_TEST(file.sha256 == sha256_of(wants[i].bytes));
      BOOST_TEST((file.placement == Placement::part));
    }
  }

  // A part's range holds its header and body, and stops before the next delimiter's line
  // break.
  const auto& notes = analysis.files[2];
  const std::string range = nested_message.substr(notes.part_range.begin, notes.part_range.size());
  BOOST_TEST(range == crlf("Content-Type: text/plain\nContent-Disposition: attachment; "
                           "filename=notes.txt\n\nsome notes"));
}

BOOST_AUTO_TEST_CASE(a_message_without_files_lists_none) {
  for (const std::string& message :
       {crlf("From: a@example.org\nSubject: hi\n\nJust text.\n"),
        crlf("From: a@example.org\nContent-Type: multipart/alternative; boundary=b\n\n--b\n"
             "Content-Type: text/plain\n\nx\n--b\nContent-Type: text/html\n\n<p>x</p>\n--b--\n")}) {
    BOOST_TEST(inspection_test::analyse_text(message).files.empty());
  }
}

BOOST_AUTO_TEST_CASE(sha256_matches_known_digests) {
  BOOST_TEST(sha256_of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(sha256_of("abc") ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(a_twenty_mebibyte_attachment_is_read_in_bounded_pieces) {
  std::string payload(20 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<char>((i * 7919) >> 3);
  }
  const std::string message = crlf(
      "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
      "Content-Type: text/plain\n\nbig file attached\n--b\n"
      "Content-Type: application/octet-stream; name=big.bin\n"
      "Content-Transfer-Encoding: base64\n\n" +
      base64(payload) + "--b--\n");
  CountingSource source(message);
  auto analysis = gateway::inspection::analyse(source, {});
  BOOST_TEST_REQUIRE(analysis.has_value());
  BOOST_TEST_REQUIRE(analysis->files.size() == 1u);
  BOOST_TEST(analysis->files[0].size_bytes == payload.size());
  BOOST_TEST(analysis->files[0].sha256 == sha256_of(payload));

  // Streaming the file for upload reads and hands over bounded chunks too.
  std::size_t largest_chunk = 0;
  std::uint64_t total = 0;
  auto streamed =
      gateway::inspection::stream_file(source, analysis->files[0], [&](std::string_view chunk) {
        largest_chunk = std::max(largest_chunk, chunk.size());
        total += chunk.size();
        return runtime::Result<void>();
      });
  BOOST_TEST_REQUIRE(streamed.has_value());
  BOOST_TEST(total == payload.size());
  BOOST_TEST(largest_chunk <= 64u * 1024u);
  BOOST_TEST(source.largest_read() <= 64u * 1024u);
}

BOOST_AUTO_TEST_CASE(source_errors_are_reported_not_swallowed) {
  class FailingSource final : public ContentSource {
   public:
    std::uint64_t size() override { return 1000; }
    runtime::Result<std::size_t> read_at(std::uint64_t, std::span<char>) override {
      return make_error_code(boost::system::errc::io_error);
    }
  };
  FailingSource source;
  auto analysis = gateway::inspection::analyse(source, {});
  BOOST_TEST_REQUIRE(!analysis.has_value());
  BOOST_TEST((analysis.error() == boost::system::errc::io_error));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
