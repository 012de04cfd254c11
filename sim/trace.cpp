#include "sim/trace.hpp"

#include <cassert>
#include <stdexcept>

#include <openssl/evp.h>

namespace sim {

struct Trace::Hash {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  ~Hash() { EVP_MD_CTX_free(context); }
};

Trace::Trace() : hash_(std::make_unique<Hash>()) {
  if (hash_->context == nullptr || EVP_DigestInit_ex(hash_->context, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("trace: cannot initialise SHA-256");
  }
}

Trace::~Trace() = default;

void Trace::record(std::int64_t t_us, std::string_view node, std::string_view event,
                   std::span<const runtime::Field> fields) {
  line_.clear();
  line_ += "{\"t_us\": ";
  line_ += std::to_string(t_us);
  line_ += ", \"node\": ";
  runtime::append_json_string(line_, node);
  line_ += ", \"event\": ";
  runtime::append_json_string(line_, event);
  runtime::append_json_fields(line_, fields);
  line_ += "}\n";

  EVP_DigestUpdate(hash_->context, line_.data(), line_.size());
  ++lines_;
  if (keep_) {
    text_ += line_;
  }
  if (sink_) {
    sink_(line_);
  }
}

std::string Trace::digest() const {
  // Finish a copy so that recording can go on after a digest was taken.
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_MD_CTX_copy_ex(copy, hash_->context);
  EVP_DigestFinal_ex(copy, bytes, &length);
  EVP_MD_CTX_free(copy);

  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < length; ++i) {
    hex += digits[bytes[i] >> 4];
    hex += digits[bytes[i] & 15];
  }
  return hex;
}

}  // namespace sim
