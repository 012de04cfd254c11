#include "gateway/inspection/sha256.hpp"

#include <array>
#include <cassert>

#include <openssl/evp.h>

namespace gateway::inspection {

struct Sha256::State {
  EVP_MD_CTX* context = nullptr;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  state_->context = EVP_MD_CTX_new();
  // Allocation failure or a missing SHA-256 is an unusable OpenSSL, not an input problem.
  const bool ready =
      state_->context != nullptr && EVP_DigestInit_ex(state_->context, EVP_sha256(), nullptr) == 1;
  assert(ready);
  (void)ready;
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(state_->context);
}

void Sha256::update(std::string_view bytes) {
  const int updated = EVP_DigestUpdate(state_->context, bytes.data(), bytes.size());
  assert(updated == 1);
  (void)updated;
}

std::string Sha256::finish_hex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  const int finished = EVP_DigestFinal_ex(state_->context, digest.data(), &size);
  assert(finished == 1 && size == 32);
  (void)finished;

  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(digits[digest[i] >> 4]);
    hex.push_back(digits[digest[i] & 0x0f]);
  }
  return hex;
}

}  // namespace gateway::inspection
