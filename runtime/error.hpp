// The project's table of expected failures. Operations report them as error codes; the
// seam reports operating-system failures (ECONNREFUSED, EIO, ENOSPC...) with the system
// category so that simulated and real worlds produce the same codes.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace runtime {

using boost::system::error_code;
template <typename T>
using Result = boost::system::result<T, error_code>;

enum class Error {
  ok = 0,
  bad_endpoint,        // an address is not host:port or [v6]:port
  address_in_use,      // listen on an address that already has a listener
  unknown_host,        // connect to an address that no node or interface has
  injected_fault,      // a simulated fault fired without a more specific code
  corrupt_record,      // stored data failed its own consistency check
  tls_setup,           // OpenSSL could not build a key, certificate or TLS context
  bad_certificate_options,  // a certificate request has an invalid name, address or window
  bad_pem,             // PEM text holds no usable certificate or private key
};

const boost::system::error_category& error_category() noexcept;

inline error_code make_error_code(Error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace runtime

template <>
struct boost::system::is_error_code_enum<runtime::Error> : std::true_type {};
