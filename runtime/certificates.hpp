// Certificates made at run time: a certificate authority and the leaf certificates it
// issues, with chosen names and validity windows. Simulated worlds and tests make their
// TLS identities here instead of shipping key files, so a scenario can ask for a
// certificate that expires at a chosen virtual instant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/error.hpp"
#include "runtime/time.hpp"

namespace runtime {

// The key a certificate holds, which is also the kind of signature its holder makes.
enum class KeyType {
  // The default: Ed25519 signatures have a fixed length, so the bytes a simulated
  // handshake sends do not depend on signature randomness.
  ed25519,
  ecdsa_p256,
  // For peers that do not support Ed25519.
  rsa_2048,
};

struct CertificateOptions {
  std::string common_name;                // the subject's CN; must not be empty
  std::vector<std::string> dns_names;     // subjectAltName DNS entries ("mx.example")
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries ("10.0.0.1", "::1")
  WallTime not_before;
  WallTime not_after;  // later than not_before
  KeyType key = KeyType::ed25519;
  std::uint64_t serial = 1;  // positive (RFC 5280 4.1.2.2)
};

// A certificate with its private key, all PEM.
struct Credentials {
  std::string certificate_pem;
  std::string private_key_pem;  // PKCS#8, unencrypted
  // What a server or client presents: the certificate followed by the intermediate
  // authorities above it, without the self-signed root (which the verifier already has).
  // For a root authority, its own certificate.
  std::string chain_pem;
};

// A self-signed root authority (basicConstraints CA:TRUE, keyUsage keyCertSign and
// cRLSign). DNS and IP names are ignored. Errors: Error::bad_certificate_options,
// Error::tls_setup.
Result<Credentials> make_certificate_authority(const CertificateOptions& options);

// An intermediate authority signed by `authority`. Errors: as make_certificate_authority,
// and Error::bad_pem when `authority` cannot be read.
Result<Credentials> issue_intermediate_authority(const Credentials& authority,
                                                 const CertificateOptions& options);

// A leaf signed by `authority`, usable by a TLS server and a TLS client (extendedKeyUsage
// serverAuth and clientAuth), naming options' DNS and IP entries in subjectAltName.
// Errors: Error::bad_certificate_options, Error::bad_pem, Error::tls_setup.
Result<Credentials> issue_certificate(const Credentials& authority,
                                      const CertificateOptions& options);

// A leaf that signs itself, for a server whose clients only encrypt and do not verify.
// Errors: Error::bad_certificate_options, Error::tls_setup.
Result<Credentials> make_self_signed_certificate(const CertificateOptions& options);

}  // namespace runtime
