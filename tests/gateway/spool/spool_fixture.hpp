// A simulated node holding a spool, and helpers to put messages into it, for the spool
// tests. Everything goes through the node's seam, so crash() and the disk's faults apply.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/test/unit_test.hpp>

#include "gateway/spool/spool.hpp"
#include "sim/disk.hpp"
#include "sim/world.hpp"

namespace spool_test {

inline const std::string spool_folder = "/var/spool/mta";

inline runtime::error_code code(std::errc error) {
  return {static_cast<int>(error), boost::system::system_category()};
}

inline runtime::error_code corrupt() { return runtime::Error::corrupt_record; }

inline gateway::Envelope sample_envelope() {
  gateway::Envelope envelope;
  envelope.mail_from = "alice@source.example";
  envelope.recipients = {"bob@corp.example", "carol@corp.example"};
  envelope.client_address = "203.0.113.5:41000";
  envelope.helo_name = "mx.source.example";
  envelope.tls = true;
  envelope.tls_details = "TLSv1.3 TLS_AES_256_GCM_SHA384";
  envelope.received_time = runtime::WallTime(std::chrono::seconds(1767225600));
  envelope.body_type = gateway::BodyType::eight_bit_mime;
  envelope.declared_size_bytes = 4096;
  return envelope;
}

inline std::string sample_content() {
  return "From: alice@source.example\r\nTo: bob@corp.example\r\nSubject: quarterly\r\n\r\n"
         "Figures attached.\r\n";
}

// Content of `size` bytes that differs at every offset from a shifted copy of itself.
inline std::string patterned_content(std::size_t size) {
  std::string content;
  content.reserve(size);
  for (std::size_t i = 0; i < size; ++i) {
    content += static_cast<char>('a' + (i * 7 + i / 26) % 26);
  }
  return content;
}

// Writes a message through a SpoolWriter in pieces of `piece` bytes; the committed message
// or the first error.
inline runtime::Result<gateway::QueuedMessage> spool_message(gateway::Spool& spool,
                                                             const gateway::Envelope& envelope,
                                                             std::string_view content,
                                                             std::size_t piece = 7) {
  auto writer = spool.begin(envelope);
  if (!writer) {
    return writer.error();
  }
  for (std::size_t at = 0; at < content.size(); at += piece) {
    if (auto ec = writer->append(content.substr(at, piece))) {
      return ec;
    }
  }
  return writer->commit();
}

// Reads a message's whole content through next_chunk(), checksum included.
inline runtime::Result<std::string> read_content(gateway::Spool& spool,
                                                 const gateway::QueueId& id) {
  auto reader = spool.open_message(id);
  if (!reader) {
    return reader.error();
  }
  std::string content;
  for (;;) {
    auto chunk = reader->next_chunk();
    if (!chunk) {
      return chunk.error();
    }
    if (chunk->empty()) {
      return content;
    }
    content.append(*chunk);
  }
}

// One node with a prepared spool. The spool object stands for the process: restart()
// crashes the node and makes a new one, as a restarted gateway would.
struct SpoolNode {
  SpoolNode() {
    world.trace().keep_lines(true);
    node.boot([](runtime::Host&) { return std::shared_ptr<void>(); });
    spool.emplace(node, spool_folder);
    BOOST_TEST_REQUIRE(!spool->prepare());
  }

  void crash_and_restart() {
    node.crash();
    node.restart();
    spool.emplace(node, spool_folder);
  }

  bool traced(std::string_view event) {
    return world.trace().text().find("\"event\": \"" + std::string(event) + "\"") !=
           std::string::npos;
  }

  sim::World world;
  sim::Node& node = world.add_node("gw", "10.0.0.1");
  sim::Disk& disk = node.disk();
  std::optional<gateway::Spool> spool;
};

}  // namespace spool_test
