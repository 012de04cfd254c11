#include "gateway/delivery/route_tls.hpp"

#include <cassert>
#include <utility>

namespace gateway {

boost::system::result<RouteTls, RouteTlsError> RouteTls::build(const Config& config,
                                                               const CaReader& read_ca) {
  RouteTls tls;
  for (const Route& route : config.routes) {
    switch (route.tls) {
      case TlsPolicy::none:
        break;

      // One context serves every route that encrypts without checking.
      case TlsPolicy::may:
      case TlsPolicy::encrypt:
        if (!tls.encrypt_only_) {
          auto context = runtime::TlsContext::client_encrypt_only();
          if (!context) {
            return RouteTlsError{route.domain, {}, context.error()};
          }
          tls.encrypt_only_.emplace(std::move(*context));
        }
        break;

      // Each verifying route trusts the authorities of its own file.
      case TlsPolicy::verify: {
        assert(route.ca_file && "the configuration requires ca_file with verify");
        auto pem = read_ca(*route.ca_file);
        if (!pem) {
          return RouteTlsError{route.domain, *route.ca_file, pem.error()};
        }
        auto context = runtime::TlsContext::client_verifying(*pem);
        if (!context) {
          return RouteTlsError{route.domain, *route.ca_file, context.error()};
        }
        tls.verifying_.insert_or_assign(route.domain, std::move(*context));
        break;
      }
    }
  }
  return tls;
}

runtime::TlsContext* RouteTls::find(const Route& route) {
  switch (route.tls) {
    case TlsPolicy::none:
      return nullptr;
    case TlsPolicy::may:
    case TlsPolicy::encrypt:
      return encrypt_only_ ? &*encrypt_only_ : nullptr;
    case TlsPolicy::verify: {
      auto found = verifying_.find(route.domain);
      return found == verifying_.end() ? nullptr : &found->second;
    }
  }
  return nullptr;
}

}  // namespace gateway
