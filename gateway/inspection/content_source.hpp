// Where inspection reads a message from: random access to its bytes, so that parsing keeps
// offsets instead of copies and a large message is never held whole in memory. The spool
// supplies the bytes in the gateway; tests and decoded nested messages supply a string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "runtime/error.hpp"

namespace gateway {
class SpoolReader;
}

namespace gateway::inspection {

class ContentSource {
 public:
  virtual ~ContentSource() = default;

  // The number of content bytes; offsets run from 0 to size().
  virtual std::uint64_t size() = 0;

  // Reads from `offset` into `buffer`; returns how many bytes were read, 0 only at the end.
  // Errors: whatever the storage below reports (EIO, corrupt_record).
  virtual runtime::Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buffer) = 0;
};

// A spooled message's content, read through SpoolReader::read_at.
class SpoolContentSource final : public ContentSource {
 public:
  explicit SpoolContentSource(SpoolReader& reader) : reader_(reader) {}

  std::uint64_t size() override;
  runtime::Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buffer) override;

 private:
  SpoolReader& reader_;
};

// Bytes held in memory: tests, and nested messages that had to be decoded first.
class StringContentSource final : public ContentSource {
 public:
  explicit StringContentSource(std::string bytes) : bytes_(std::move(bytes)) {}

  std::uint64_t size() override { return bytes_.size(); }
  runtime::Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buffer) override;

  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

}  // namespace gateway::inspection
