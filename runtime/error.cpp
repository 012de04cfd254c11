#include "runtime/error.hpp"

#include <string>

namespace runtime {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mta"; }

  std::string message(int value) const override {
    switch (static_cast<Error>(value)) {
      case Error::ok: return "success";
      case Error::bad_endpoint: return "address is not host:port or [v6]:port";
      case Error::address_in_use: return "address already has a listener";
      case Error::unknown_host: return "no host has that address";
      case Error::injected_fault: return "injected fault";
      case Error::corrupt_record: return "stored record is corrupt";
      case Error::tls_setup: return "TLS setup failed";
      case Error::bad_certificate_options:
        return "certificate request has an invalid name, address or validity window";
      case Error::bad_pem: return "PEM text holds no usable certificate or private key";
    }
    return "unknown error " + std::to_string(value);
  }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace runtime
