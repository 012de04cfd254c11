#include "runtime/certificates.hpp"

#include <chrono>
#include <climits>
#include <ctime>
#include <memory>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace runtime {
namespace {

// The longest common name X.509 allows (RFC 5280 appendix A, ub-common-name).
constexpr std::size_t max_common_name_bytes = 64;
// The longest DNS name (RFC 1035 2.3.4).
constexpr std::size_t max_dns_name_bytes = 253;
// More subjectAltName entries than any test or scenario needs; a bound on hostile input.
constexpr std::size_t max_alt_names = 100;
constexpr int rsa_key_bits = 2048;

// Frees an OpenSSL object through the library's own function.
template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* object) const {
    Free(object);
  }
};

using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using KeyContextPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using CertificatePtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using NamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;
using StringPtr = std::unique_ptr<ASN1_STRING, Deleter<ASN1_STRING_free>>;

enum class Role { root_authority, intermediate_authority, leaf };

// Who signs a certificate: the issuer's certificate and key, or nobody when the
// certificate signs itself.
struct Signer {
  X509* certificate = nullptr;
  EVP_PKEY* key = nullptr;
};

std::time_t to_time_t(WallTime time) {
  return static_cast<std::time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count());
}

// Letters, digits, hyphens and dots, with the wildcard and underscore that test names use.
bool valid_dns_name(std::string_view name) {
  if (name.empty() || name.size() > max_dns_name_bytes) {
    return false;
  }
  for (const char c : name) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !digit && c != '-' && c != '.' && c != '*' && c != '_') {
      return false;
    }
  }
  return true;
}

// Checks what can be checked before spending time on a key. IP literals are checked when
// they are encoded.
error_code check_options(const CertificateOptions& options, Role role) {
  const bool bad_name =
      options.common_name.empty() || options.common_name.size() > max_common_name_bytes;
  if (bad_name || options.serial == 0 || options.not_after <= options.not_before) {
    return Error::bad_certificate_options;
  }
  if (role != Role::leaf) {
    return {};
  }
  if (options.dns_names.size() + options.ip_addresses.size() > max_alt_names) {
    return Error::bad_certificate_options;
  }
  for (const std::string& name : options.dns_names) {
    if (!valid_dns_name(name)) {
      return Error::bad_certificate_options;
    }
  }
  return {};
}

Result<KeyPtr> generate_key(KeyType type) {
  const char* algorithm = "ED25519";
  if (type == KeyType::ecdsa_p256) {
    algorithm = "EC";
  } else if (type == KeyType::rsa_2048) {
    algorithm = "RSA";
  }

  // Set up the generator, with the curve or size the type asks for.
  KeyContextPtr context(EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr));
  if (!context || EVP_PKEY_keygen_init(context.get()) <= 0) {
    return Error::tls_setup;
  }
  if (type == KeyType::ecdsa_p256 && EVP_PKEY_CTX_set_group_name(context.get(), "P-256") <= 0) {
    return Error::tls_setup;
  }
  if (type == KeyType::rsa_2048 &&
      EVP_PKEY_CTX_set_rsa_keygen_bits(context.get(), rsa_key_bits) <= 0) {
    return Error::tls_setup;
  }

  // Generate.
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_generate(context.get(), &key) <= 0) {
    return Error::tls_setup;
  }
  return KeyPtr(key);
}

// Adds one extension written in OpenSSL's configuration syntax. Only fixed texts go
// through this path; names from options are encoded separately, so they cannot smuggle
// in syntax.
error_code add_extension(X509* certificate, X509V3_CTX& context, int nid, const char* value) {
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1) {
    return Error::tls_setup;
  }
  return {};
}

// Appends one subjectAltName entry; takes ownership of `value`.
error_code push_alt_name(GENERAL_NAMES* names, int type, StringPtr value) {
  NamePtr name(GENERAL_NAME_new());
  if (!name) {
    return Error::tls_setup;
  }
  GENERAL_NAME_set0_value(name.get(), type, value.release());
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) {
    return Error::tls_setup;
  }
  name.release();
  return {};
}

error_code add_alt_names(X509* certificate, const CertificateOptions& options) {
  if (options.dns_names.empty() && options.ip_addresses.empty()) {
    return {};
  }
  NamesPtr names(GENERAL_NAMES_new());
  if (!names) {
    return Error::tls_setup;
  }

  // DNS names, already checked to be plain ASCII.
  for (const std::string& dns_name : options.dns_names) {
    StringPtr text(ASN1_IA5STRING_new());
    const int size = static_cast<int>(dns_name.size());
    if (!text || ASN1_STRING_set(text.get(), dns_name.data(), size) != 1) {
      return Error::tls_setup;
    }
    if (error_code ec = push_alt_name(names.get(), GEN_DNS, std::move(text))) {
      return ec;
    }
  }

  // IP addresses, which OpenSSL parses; text it cannot parse is the caller's mistake.
  for (const std::string& address : options.ip_addresses) {
    StringPtr bytes(a2i_IPADDRESS(address.c_str()));
    if (!bytes) {
      return Error::bad_certificate_options;
    }
    if (error_code ec = push_alt_name(names.get(), GEN_IPADD, std::move(bytes))) {
      return ec;
    }
  }

  if (X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) !=
      1) {
    return Error::tls_setup;
  }
  return {};
}

// What the key of a leaf may do: sign handshakes, and for RSA also decrypt the premaster
// secret of TLS 1.2's RSA key exchange (RFC 5280 4.2.1.3).
const char* leaf_key_usage(KeyType type) {
  return type == KeyType::rsa_2048 ? "critical,digitalSignature,keyEncipherment"
                                   : "critical,digitalSignature";
}

error_code add_extensions(X509* certificate, const CertificateOptions& options,
                          const Signer& signer, Role role) {
  X509V3_CTX context;
  X509* issuer = signer.certificate != nullptr ? signer.certificate : certificate;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  const bool authority = role != Role::leaf;

  // What the key may sign (RFC 5280 4.2.1.9 and 4.2.1.3).
  const char* constraints = authority ? "critical,CA:TRUE" : "critical,CA:FALSE";
  const char* usage = authority ? "critical,keyCertSign,cRLSign" : leaf_key_usage(options.key);
  error_code ec = add_extension(certificate, context, NID_basic_constraints, constraints);
  if (!ec) {
    ec = add_extension(certificate, context, NID_key_usage, usage);
  }

  // Key identifiers let a verifier find the issuer's certificate by key. The subject's
  // comes first: a self-signed certificate's authority identifier is read from it.
  if (!ec) {
    ec = add_extension(certificate, context, NID_subject_key_identifier, "hash");
  }
  if (!ec) {
    ec = add_extension(certificate, context, NID_authority_key_identifier, "keyid:always");
  }

  // A leaf serves both ends of a TLS connection, under the names it was given.
  if (!ec && !authority) {
    ec = add_extension(certificate, context, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  if (!ec && !authority) {
    ec = add_alt_names(certificate, options);
  }
  return ec;
}

error_code set_validity(X509* certificate, const CertificateOptions& options) {
  ASN1_INTEGER* serial = X509_get_serialNumber(certificate);
  const bool ok =
      X509_set_version(certificate, X509_VERSION_3) == 1 &&
      ASN1_INTEGER_set_uint64(serial, options.serial) == 1 &&
      ASN1_TIME_set(X509_getm_notBefore(certificate), to_time_t(options.not_before)) != nullptr &&
      ASN1_TIME_set(X509_getm_notAfter(certificate), to_time_t(options.not_after)) != nullptr;
  // A window OpenSSL cannot encode (years past 9999) is the caller's mistake.
  return ok ? error_code() : make_error_code(Error::bad_certificate_options);
}

error_code set_names(X509* certificate, const CertificateOptions& options, const Signer& signer) {
  X509_NAME* subject = X509_get_subject_name(certificate);
  const auto* common_name = reinterpret_cast<const unsigned char*>(options.common_name.data());
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, common_name,
                                 static_cast<int>(options.common_name.size()), -1, 0) != 1) {
    return Error::bad_certificate_options;  // not UTF-8
  }
  X509_NAME* issuer =
      signer.certificate != nullptr ? X509_get_subject_name(signer.certificate) : subject;
  if (X509_set_issuer_name(certificate, issuer) != 1) {
    return Error::tls_setup;
  }
  return {};
}

Result<CertificatePtr> build_certificate(const CertificateOptions& options, EVP_PKEY* key,
                                         const Signer& signer, Role role) {
  CertificatePtr certificate(X509_new());
  if (!certificate) {
    return Error::tls_setup;
  }

  // Fill in the fields: version, serial, window, names, key and extensions.
  error_code ec = set_validity(certificate.get(), options);
  if (!ec) {
    ec = set_names(certificate.get(), options, signer);
  }
  if (!ec && X509_set_pubkey(certificate.get(), key) != 1) {
    ec = Error::tls_setup;
  }
  if (!ec) {
    ec = add_extensions(certificate.get(), options, signer, role);
  }
  if (ec) {
    return ec;
  }

  // Sign. Ed25519 hashes the message itself and takes no separate digest.
  EVP_PKEY* signing_key = signer.key != nullptr ? signer.key : key;
  const EVP_MD* digest = EVP_PKEY_is_a(signing_key, "ED25519") ? nullptr : EVP_sha256();
  if (X509_sign(certificate.get(), signing_key, digest) <= 0) {
    return Error::tls_setup;
  }
  return certificate;
}

// Takes everything written to a memory BIO out as a string.
Result<std::string> drain(BIO* bio) {
  std::string text(BIO_ctrl_pending(bio), '\0');
  if (text.size() > INT_MAX) {
    return Error::tls_setup;
  }
  const int size = static_cast<int>(text.size());
  if (size > 0 && BIO_read(bio, text.data(), size) != size) {
    return Error::tls_setup;
  }
  return text;
}

Result<std::string> certificate_to_pem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) {
    return Error::tls_setup;
  }
  return drain(bio.get());
}

Result<std::string> key_to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Error::tls_setup;
  }
  return drain(bio.get());
}

Result<BioPtr> read_only_bio(std::string_view text) {
  if (text.size() > INT_MAX) {
    return Error::bad_pem;
  }
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) {
    return Error::tls_setup;
  }
  return bio;
}

// The issuer's certificate and key, which must belong together and be an authority.
error_code read_authority(const Credentials& authority, CertificatePtr& certificate, KeyPtr& key) {
  auto certificate_bio = read_only_bio(authority.certificate_pem);
  auto key_bio = read_only_bio(authority.private_key_pem);
  if (!certificate_bio || !key_bio) {
    return certificate_bio ? key_bio.error() : certificate_bio.error();
  }
  certificate.reset(PEM_read_bio_X509(certificate_bio->get(), nullptr, nullptr, nullptr));
  key.reset(PEM_read_bio_PrivateKey(key_bio->get(), nullptr, nullptr, nullptr));
  if (!certificate || !key || X509_check_private_key(certificate.get(), key.get()) != 1 ||
      X509_check_ca(certificate.get()) == 0) {
    return Error::bad_pem;
  }
  return {};
}

Result<Credentials> make_credentials(const CertificateOptions& options,
                                     const Credentials* authority, Role role) {
  // Check the request before spending time on a key.
  if (error_code ec = check_options(options, role)) {
    return ec;
  }

  // Read the issuer, if there is one.
  CertificatePtr issuer_certificate;
  KeyPtr issuer_key;
  if (authority != nullptr) {
    if (error_code ec = read_authority(*authority, issuer_certificate, issuer_key)) {
      return ec;
    }
  }
  const Signer signer{issuer_certificate.get(), issuer_key.get()};

  // Make the key and the certificate.
  auto key = generate_key(options.key);
  if (!key) {
    return key.error();
  }
  auto certificate = build_certificate(options, key->get(), signer, role);
  if (!certificate) {
    return certificate.error();
  }

  // Write them out. The chain climbs through intermediates and stops below the root.
  auto certificate_pem = certificate_to_pem(certificate->get());
  auto key_pem = key_to_pem(key->get());
  if (!certificate_pem || !key_pem) {
    return Error::tls_setup;
  }
  Credentials credentials{*certificate_pem, *key_pem, *certificate_pem};
  if (authority != nullptr && X509_self_signed(issuer_certificate.get(), 0) != 1) {
    credentials.chain_pem += authority->chain_pem;
  }
  return credentials;
}

}  // namespace

Result<Credentials> make_certificate_authority(const CertificateOptions& options) {
  return make_credentials(options, nullptr, Role::root_authority);
}

Result<Credentials> issue_intermediate_authority(const Credentials& authority,
                                                 const CertificateOptions& options) {
  return make_credentials(options, &authority, Role::intermediate_authority);
}

Result<Credentials> issue_certificate(const Credentials& authority,
                                      const CertificateOptions& options) {
  return make_credentials(options, &authority, Role::leaf);
}

Result<Credentials> make_self_signed_certificate(const CertificateOptions& options) {
  return make_credentials(options, nullptr, Role::leaf);
}

}  // namespace runtime
