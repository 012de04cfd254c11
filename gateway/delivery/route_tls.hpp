// The TLS client contexts of the routes, built once at startup: one encrypt-only context
// shared by the `may` and `encrypt` routes, and one verifying context per `verify` route,
// trusting the authorities of its ca_file.
//
// The library never opens real files (that would bypass the seam), so whoever builds the
// gateway reads each ca_file through the CaReader it passes: the program reads the real
// file, a simulated world hands out PEM text it made.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include <boost/system/result.hpp>

#include "gateway/config.hpp"
#include "runtime/error.hpp"
#include "runtime/tls.hpp"

namespace gateway {

// Reads a CA file's PEM text, given its path as the configuration holds it.
using CaReader = std::function<runtime::Result<std::string>(const std::string& path)>;

// Why a route's context could not be built.
struct RouteTlsError {
  std::string domain;   // the route's domain
  std::string ca_file;  // empty when the failure was not about the file
  runtime::error_code error;
};

class RouteTls {
 public:
  // Contexts for every route of `config` that uses TLS. Errors: the reader's, and
  // TlsContext's for PEM that holds no usable certificate.
  static boost::system::result<RouteTls, RouteTlsError> build(const Config& config,
                                                              const CaReader& read_ca);

  RouteTls() = default;
  RouteTls(RouteTls&&) noexcept = default;
  RouteTls& operator=(RouteTls&&) noexcept = default;

  // The context for sessions on `route`; null when the route does not use TLS or none was
  // built for it.
  runtime::TlsContext* find(const Route& route);

 private:
  std::optional<runtime::TlsContext> encrypt_only_;
  std::map<std::string, runtime::TlsContext> verifying_;  // by route domain
};

}  // namespace gateway
