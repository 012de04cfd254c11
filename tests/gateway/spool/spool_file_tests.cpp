// Spool files: writing while receiving, committing durably, reading back as a stream, and
// what a crash or a disk fault at any step of a commit leaves behind.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "spool_fixture.hpp"

namespace {

using gateway::QueueId;
using sim::DiskOp;
using spool_test::SpoolNode;

// Rewrites a committed message's file with `change` applied to its bytes.
void damage(SpoolNode& s, const QueueId& id, const std::function<void(std::string&)>& change) {
  auto bytes = runtime::read_file(s.node.storage(), s.spool->message_path(id));
  BOOST_TEST_REQUIRE(bytes.has_value());
  change(*bytes);
  BOOST_TEST_REQUIRE(!runtime::write_file_durably(s.node.storage(), s.spool->messages_folder(),
                                                  id.text(), *bytes));
}

std::vector<std::string> names_in(SpoolNode& s, const std::string& folder) {
  auto names = s.node.storage().list(folder);
  BOOST_TEST_REQUIRE(names.has_value());
  return *names;
}

BOOST_AUTO_TEST_SUITE(spool)

BOOST_AUTO_TEST_CASE(a_committed_message_reads_back_as_a_stream_with_its_envelope) {
  SpoolNode s;
  const std::string content = spool_test::patterned_content(300'001);
  auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), content,
                                             1000);
  BOOST_TEST_REQUIRE(committed.has_value());
  BOOST_TEST(committed->content_size_bytes == content.size());

  // Chunks arrive in order, none larger than promised, and add up to the content.
  auto reader = s.spool->open_message(committed->id());
  BOOST_TEST_REQUIRE(reader.has_value());
  BOOST_TEST((reader->envelope() == spool_test::sample_envelope()));
  std::string streamed;
  for (;;) {
    auto chunk = reader->next_chunk();
    BOOST_TEST_REQUIRE(chunk.has_value());
    if (chunk->empty()) {
      break;
    }
    BOOST_TEST(chunk->size() <= gateway::SpoolReader::chunk_size_bytes);
    streamed.append(*chunk);
  }
  BOOST_TEST((streamed == content));

  // Random access stops at the end of the content, never showing the trailer.
  std::string tail(100, '\0');
  auto got = reader->read_at(content.size() - 11, tail);
  BOOST_TEST_REQUIRE(got.has_value());
  BOOST_TEST(*got == 11u);
  BOOST_TEST(tail.substr(0, 11) == content.substr(content.size() - 11));
  BOOST_TEST(reader->read_at(content.size(), tail).value() == 0u);
}

BOOST_AUTO_TEST_CASE(a_committed_message_survives_a_crash) {
  SpoolNode s;
  const std::string content = spool_test::sample_content();
  auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), content);
  BOOST_TEST_REQUIRE(committed.has_value());

  s.crash_and_restart();
  auto recovered = s.spool->recover();
  BOOST_TEST_REQUIRE(recovered.has_value());
  BOOST_TEST_REQUIRE(recovered->size() == 1u);
  BOOST_TEST((recovered->front().id() == committed->id()));
  BOOST_TEST((recovered->front().envelope == spool_test::sample_envelope()));
  BOOST_TEST((recovered->front().record.state == gateway::MessageState::received));
  BOOST_TEST(spool_test::read_content(*s.spool, committed->id()).value() == content);
}

BOOST_AUTO_TEST_CASE(abandoning_or_dropping_a_writer_leaves_no_file) {
  SpoolNode s;
  {
    auto writer = s.spool->begin(spool_test::sample_envelope());
    BOOST_TEST_REQUIRE(writer.has_value());
    BOOST_TEST(!writer->append("From: a\r\n"));
    writer->abandon();
  }
  {
    auto writer = s.spool->begin(spool_test::sample_envelope());
    BOOST_TEST_REQUIRE(writer.has_value());
    BOOST_TEST(!writer->append("From: a\r\n"));
    // The connection is lost mid-DATA: the session drops its writer.
  }
  BOOST_TEST(names_in(s, s.spool->messages_folder()).empty());
}

BOOST_AUTO_TEST_CASE(a_half_received_message_is_discarded_by_recovery) {
  SpoolNode s;

  // A neighbour's commit syncs the folder, which makes the half message's name durable.
  auto half = s.spool->begin(spool_test::sample_envelope());
  BOOST_TEST_REQUIRE(half.has_value());
  BOOST_TEST(!half->append("From: a\r\nSubject: cut short"));
  auto whole = spool_test::spool_message(*s.spool, spool_test::sample_envelope(),
                                         spool_test::sample_content());
  BOOST_TEST_REQUIRE(whole.has_value());

  s.crash_and_restart();
  auto recovered = s.spool->recover();
  BOOST_TEST_REQUIRE(recovered.has_value());
  BOOST_TEST_REQUIRE(recovered->size() == 1u);
  BOOST_TEST((recovered->front().id() == whole->id()));
  BOOST_TEST(s.traced("spool.discarded"));
  BOOST_TEST(names_in(s, s.spool->messages_folder()) ==
             std::vector<std::string>{whole->id().text()});
}

BOOST_AUTO_TEST_CASE(a_fault_at_any_step_of_a_commit_leaves_nothing_or_the_whole_message) {
  const std::string content = spool_test::sample_content();
  const std::vector<DiskOp> ops = {DiskOp::open, DiskOp::write, DiskOp::sync, DiskOp::rename,
                                   DiskOp::sync_directory};

  // How often a commit calls each operation, from one run without faults.
  std::map<DiskOp, std::uint64_t> calls;
  {
    SpoolNode s;
    for (DiskOp op : ops) {
      calls[op] = s.disk.count(op);
    }
    BOOST_TEST_REQUIRE(spool_test::spool_message(*s.spool, spool_test::sample_envelope(),
                                                 content).has_value());
    for (DiskOp op : ops) {
      calls[op] = s.disk.count(op) - calls[op];
    }
  }

  // Then the nth call of each fails, and the node crashes right after the commit returned.
  std::size_t cases = 0;
  for (DiskOp op : ops) {
    BOOST_TEST_REQUIRE(calls[op] > 0u, sim::disk_op_name(op));
    for (std::uint64_t nth = 1; nth <= calls[op]; ++nth, ++cases) {
      SpoolNode s;
      s.disk.inject_fault(op, nth, std::errc::io_error);
      auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), content);
      s.disk.clear_faults();
      BOOST_TEST(!committed.has_value(), sim::disk_op_name(op) << " #" << nth);

      s.crash_and_restart();
      auto recovered = s.spool->recover();
      BOOST_TEST_REQUIRE(recovered.has_value());
      BOOST_TEST(recovered->empty(), sim::disk_op_name(op) << " #" << nth);
      BOOST_TEST(!s.traced("spool.corrupt"), sim::disk_op_name(op) << " #" << nth);
    }
  }
  BOOST_TEST(cases >= 10u);
}

BOOST_AUTO_TEST_CASE(a_failed_commit_leaves_nothing_even_without_a_crash) {
  for (DiskOp op : {DiskOp::sync, DiskOp::rename, DiskOp::sync_directory}) {
    SpoolNode s;
    s.disk.inject_fault(op, 1, std::errc::io_error);
    auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(),
                                               spool_test::sample_content());
    BOOST_TEST(!committed.has_value());
    BOOST_TEST(names_in(s, s.spool->messages_folder()).empty(), sim::disk_op_name(op));
  }
}

BOOST_AUTO_TEST_CASE(a_full_disk_fails_the_commit_and_leaves_nothing) {
  SpoolNode s;
  s.disk.set_capacity(2000);
  auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(),
                                             spool_test::patterned_content(5000), 100);
  BOOST_TEST_REQUIRE(!committed.has_value());
  BOOST_TEST(committed.error() == spool_test::code(std::errc::no_space_on_device));
  BOOST_TEST(names_in(s, s.spool->messages_folder()).empty());
}

BOOST_AUTO_TEST_CASE(queue_ids_are_distinct_across_messages_and_restarts) {
  SpoolNode s;
  std::set<std::string> ids;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 150; ++i) {
      auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), "x\r\n");
      BOOST_TEST_REQUIRE(committed.has_value());
      ids.insert(committed->id().text());
    }
    s.crash_and_restart();
  }
  BOOST_TEST(ids.size() == 300u);
}

struct Damage {
  const char* name;
  std::function<void(std::string&)> change;
  bool open_fails;  // found by the structure check; otherwise by the content checksum
};

BOOST_AUTO_TEST_CASE(damaged_spool_files_are_detected) {
  const std::string content = spool_test::sample_content();
  const std::vector<Damage> damages = {
      {"a content byte flipped", [&](std::string& b) { b[b.size() - 60] ^= 0x20; }, false},
      {"a header byte flipped", [](std::string& b) { b[40] ^= 0x01; }, true},
      {"the prefix version changed", [](std::string& b) { b[10] = '2'; }, true},
      {"cut short by one byte", [](std::string& b) { b.pop_back(); }, true},
      {"grown by one byte", [](std::string& b) { b.insert(b.size() - 60, "x"); }, true},
      {"the trailer's length changed",
       [](std::string& b) { b[b.size() - 20] = b[b.size() - 20] == '0' ? '1' : '0'; }, true},
      {"the trailer's checksum changed",
       [](std::string& b) { b[b.size() - 2] = b[b.size() - 2] == 'a' ? 'b' : 'a'; }, false},
      {"emptied", [](std::string& b) { b.clear(); }, true},
  };
  for (const auto& d : damages) {
    SpoolNode s;
    auto committed = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), content);
    BOOST_TEST_REQUIRE(committed.has_value());
    damage(s, committed->id(), d.change);

    auto opened = s.spool->open_message(committed->id());
    if (d.open_fails) {
      BOOST_TEST((!opened && opened.error() == spool_test::corrupt()), d.name);
      continue;
    }
    BOOST_TEST(opened.has_value(), d.name);
    auto read = spool_test::read_content(*s.spool, committed->id());
    BOOST_TEST((!read && read.error() == spool_test::corrupt()), d.name);
  }
}

BOOST_AUTO_TEST_CASE(recovery_sets_a_corrupt_message_aside_and_keeps_the_rest) {
  SpoolNode s;
  auto bad = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), "bad\r\n");
  auto good = spool_test::spool_message(*s.spool, spool_test::sample_envelope(), "good\r\n");
  BOOST_TEST_REQUIRE((bad.has_value() && good.has_value()));
  damage(s, bad->id(), [](std::string& b) { b.pop_back(); });

  auto recovered = s.spool->recover();
  BOOST_TEST_REQUIRE(recovered.has_value());
  BOOST_TEST_REQUIRE(recovered->size() == 1u);
  BOOST_TEST((recovered->front().id() == good->id()));
  BOOST_TEST(s.traced("spool.corrupt"));
  BOOST_TEST(!s.spool->contains(bad->id()));
  BOOST_TEST(s.node.storage().exists(runtime::join_path(s.spool->corrupt_folder(),
                                                        bad->id().text())));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
