// SHA-256 computed incrementally, for the hashes the sandbox is queried by.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace gateway::inspection {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // The digest as 64 lower-case hex digits; the object is spent afterwards.
  std::string finish_hex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gateway::inspection
