// Certificates made at run time: what they say (names, usages, window, keys) and that
// OpenSSL's own verifier accepts them exactly where it should.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "runtime/certificates.hpp"

namespace {

using namespace std::chrono_literals;
using runtime::CertificateOptions;
using runtime::Credentials;
using runtime::Error;
using runtime::KeyType;
using runtime::WallTime;

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* object) const {
    Free(object);
  }
};
using CertificatePtr = std::unique_ptr<X509, Deleter<X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreContextPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
// The stack holds borrowed certificates: freeing it leaves them alone.
struct StackDeleter {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using StackPtr = std::unique_ptr<STACK_OF(X509), StackDeleter>;

// 2026-01-01T00:00:00Z, the simulated world's default start.
const WallTime start{std::chrono::seconds(1767225600)};

CertificateOptions options(std::string name, KeyType key = KeyType::ed25519) {
  CertificateOptions result;
  result.common_name = name;
  result.dns_names = {name};
  result.not_before = start - 24h;
  result.not_after = start + 24h * 30;
  result.key = key;
  return result;
}

Credentials authority(KeyType key = KeyType::ed25519) {
  return runtime::make_certificate_authority(options("Test Root", key)).value();
}

// Every certificate in `pem`, in order.
std::vector<CertificatePtr> parse_all(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<CertificatePtr> certificates;
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(certificate);
  }
  return certificates;
}

CertificatePtr parse(std::string_view pem) {
  auto all = parse_all(pem);
  BOOST_REQUIRE_EQUAL(all.size(), 1u);
  return std::move(all.front());
}

KeyPtr parse_key(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return KeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

bool critical(X509* certificate, int nid) {
  const int index = X509_get_ext_by_NID(certificate, nid, -1);
  BOOST_REQUIRE(index >= 0);
  return X509_EXTENSION_get_critical(X509_get_ext(certificate, index)) == 1;
}

std::time_t seconds_since_epoch(WallTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// OpenSSL's verdict on `chain_pem` (leaf first) against the root `root_pem`, at `at`.
int verify(const std::string& root_pem, const std::string& chain_pem, WallTime at) {
  StorePtr store(X509_STORE_new());
  for (auto& root : parse_all(root_pem)) {
    X509_STORE_add_cert(store.get(), root.get());
  }
  auto chain = parse_all(chain_pem);
  StackPtr untrusted(sk_X509_new_null());
  for (std::size_t i = 1; i < chain.size(); ++i) {
    sk_X509_push(untrusted.get(), chain[i].get());
  }
  StoreContextPtr context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), chain.front().get(), untrusted.get());
  X509_STORE_CTX_set_time(context.get(), 0, seconds_since_epoch(at));
  X509_verify_cert(context.get());
  return X509_STORE_CTX_get_error(context.get());
}

BOOST_AUTO_TEST_SUITE(certificates)

BOOST_AUTO_TEST_CASE(an_authority_is_a_self_signed_critical_ca) {
  CertificateOptions request = options("Test Root");
  request.serial = 77;
  const Credentials root = runtime::make_certificate_authority(request).value();
  CertificatePtr certificate = parse(root.certificate_pem);

  BOOST_TEST(X509_self_signed(certificate.get(), 1) == 1);
  BOOST_TEST(X509_check_ca(certificate.get()) == 1);
  BOOST_TEST(critical(certificate.get(), NID_basic_constraints));
  BOOST_TEST((X509_get_key_usage(certificate.get()) & KU_KEY_CERT_SIGN) != 0u);
  BOOST_TEST((X509_get_key_usage(certificate.get()) & KU_DIGITAL_SIGNATURE) == 0u);
  BOOST_TEST(X509_get0_subject_key_id(certificate.get()) != nullptr);
  BOOST_TEST(ASN1_INTEGER_get(X509_get0_serialNumber(certificate.get())) == 77);
  BOOST_TEST(root.chain_pem == root.certificate_pem);
  BOOST_TEST(X509_check_private_key(certificate.get(), parse_key(root.private_key_pem).get()) == 1);
}

BOOST_AUTO_TEST_CASE(a_leaf_carries_its_names_usages_and_issuer) {
  const Credentials root = authority();
  CertificateOptions request = options("mx.example");
  request.dns_names = {"mx.example", "*.relay.example"};
  request.ip_addresses = {"10.0.0.1", "2001:db8::25"};
  request.serial = 9;
  const Credentials leaf = runtime::issue_certificate(root, request).value();
  CertificatePtr certificate = parse(leaf.certificate_pem);
  CertificatePtr issuer = parse(root.certificate_pem);

  // Names: each DNS and IP entry matches, nothing else does.
  BOOST_TEST(X509_check_host(certificate.get(), "mx.example", 0, 0, nullptr) == 1);
  BOOST_TEST(X509_check_host(certificate.get(), "a.relay.example", 0, 0, nullptr) == 1);
  BOOST_TEST(X509_check_host(certificate.get(), "other.example", 0, 0, nullptr) == 0);
  BOOST_TEST(X509_check_ip_asc(certificate.get(), "10.0.0.1", 0) == 1);
  BOOST_TEST(X509_check_ip_asc(certificate.get(), "2001:db8::25", 0) == 1);
  BOOST_TEST(X509_check_ip_asc(certificate.get(), "10.0.0.2", 0) == 0);

  // Usages: not an authority, signs handshakes, serves both ends of TLS.
  BOOST_TEST(X509_check_ca(certificate.get()) == 0);
  BOOST_TEST(critical(certificate.get(), NID_basic_constraints));
  BOOST_TEST((X509_get_key_usage(certificate.get()) & KU_DIGITAL_SIGNATURE) != 0u);
  BOOST_TEST((X509_get_key_usage(certificate.get()) & KU_KEY_CERT_SIGN) == 0u);
  const auto extended = X509_get_extended_key_usage(certificate.get());
  BOOST_TEST((extended & XKU_SSL_SERVER) != 0u);
  BOOST_TEST((extended & XKU_SSL_CLIENT) != 0u);

  // Issuer: named, and identified by its key.
  BOOST_TEST(X509_NAME_cmp(X509_get_issuer_name(certificate.get()),
                           X509_get_subject_name(issuer.get())) == 0);
  BOOST_TEST(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(certificate.get()),
                                   X509_get0_subject_key_id(issuer.get())) == 0);
  BOOST_TEST(ASN1_INTEGER_get(X509_get0_serialNumber(certificate.get())) == 9);
  BOOST_TEST(leaf.chain_pem == leaf.certificate_pem);
}

BOOST_AUTO_TEST_CASE(the_validity_window_is_the_one_requested) {
  CertificateOptions request = options("mx.example");
  request.not_before = start + 1h;
  request.not_after = start + 90min;
  const Credentials leaf = runtime::issue_certificate(authority(), request).value();
  CertificatePtr certificate = parse(leaf.certificate_pem);

  BOOST_TEST(ASN1_TIME_cmp_time_t(X509_get0_notBefore(certificate.get()),
                                  seconds_since_epoch(start + 1h)) == 0);
  BOOST_TEST(ASN1_TIME_cmp_time_t(X509_get0_notAfter(certificate.get()),
                                  seconds_since_epoch(start + 90min)) == 0);
}

BOOST_AUTO_TEST_CASE(a_leaf_verifies_against_its_authority_only_inside_its_window) {
  const Credentials root = authority();
  CertificateOptions request = options("mx.example");
  request.not_before = start;
  request.not_after = start + 24h;
  const Credentials leaf = runtime::issue_certificate(root, request).value();

  BOOST_TEST(verify(root.certificate_pem, leaf.chain_pem, start + 1h) == X509_V_OK);
  BOOST_TEST(verify(root.certificate_pem, leaf.chain_pem, start + 25h) ==
             X509_V_ERR_CERT_HAS_EXPIRED);
  BOOST_TEST(verify(root.certificate_pem, leaf.chain_pem, start - 1h) ==
             X509_V_ERR_CERT_NOT_YET_VALID);
  BOOST_TEST(verify(authority().certificate_pem, leaf.chain_pem, start + 1h) ==
             X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

BOOST_AUTO_TEST_CASE(an_intermediate_goes_into_the_chain_and_the_root_does_not) {
  const Credentials root = authority();
  const Credentials intermediate =
      runtime::issue_intermediate_authority(root, options("Test Intermediate")).value();
  const Credentials leaf = runtime::issue_certificate(intermediate, options("mx.example")).value();

  BOOST_TEST(intermediate.chain_pem == intermediate.certificate_pem);
  BOOST_TEST(leaf.chain_pem == leaf.certificate_pem + intermediate.certificate_pem);
  BOOST_TEST(X509_check_ca(parse(intermediate.certificate_pem).get()) == 1);
  BOOST_TEST(verify(root.certificate_pem, leaf.chain_pem, start) == X509_V_OK);
  // Without the intermediate the leaf cannot be tied to the root.
  BOOST_TEST(verify(root.certificate_pem, leaf.certificate_pem, start) ==
             X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

BOOST_AUTO_TEST_CASE(a_self_signed_leaf_signs_itself_and_names_its_host) {
  const Credentials leaf = runtime::make_self_signed_certificate(options("mx.example")).value();
  CertificatePtr certificate = parse(leaf.certificate_pem);

  BOOST_TEST(X509_self_signed(certificate.get(), 1) == 1);
  BOOST_TEST(X509_check_ca(certificate.get()) == 0);
  BOOST_TEST(X509_check_host(certificate.get(), "mx.example", 0, 0, nullptr) == 1);
}

struct KeyCase {
  KeyType type;
  const char* algorithm;
  int bits;
};

std::ostream& operator<<(std::ostream& out, const KeyCase& key) {
  return out << key.algorithm;
}

const KeyCase key_cases[] = {
    {KeyType::ed25519, "ED25519", 256},
    {KeyType::ecdsa_p256, "EC", 256},
    {KeyType::rsa_2048, "RSA", 2048},
};

BOOST_DATA_TEST_CASE(every_key_type_issues_and_verifies, boost::unit_test::data::make(key_cases),
                     key) {
  const Credentials root = authority(key.type);
  const Credentials leaf =
      runtime::issue_certificate(root, options("mx.example", key.type)).value();
  CertificatePtr certificate = parse(leaf.certificate_pem);
  KeyPtr private_key = parse_key(leaf.private_key_pem);

  BOOST_TEST(EVP_PKEY_is_a(X509_get0_pubkey(certificate.get()), key.algorithm) == 1);
  BOOST_TEST(EVP_PKEY_get_bits(private_key.get()) == key.bits);
  BOOST_TEST(X509_check_private_key(certificate.get(), private_key.get()) == 1);
  BOOST_TEST(verify(root.certificate_pem, leaf.chain_pem, start) == X509_V_OK);
}

BOOST_AUTO_TEST_CASE(ed25519_certificates_of_one_request_have_one_size) {
  // The reason Ed25519 is the default: simulated byte counts must not depend on luck.
  const Credentials root = authority();
  const auto first = runtime::issue_certificate(root, options("mx.example")).value();
  const auto second = runtime::issue_certificate(root, options("mx.example")).value();

  BOOST_TEST(first.certificate_pem != second.certificate_pem);
  BOOST_TEST(first.certificate_pem.size() == second.certificate_pem.size());
  BOOST_TEST(first.private_key_pem.size() == second.private_key_pem.size());
}

BOOST_AUTO_TEST_CASE(invalid_requests_fail_with_bad_certificate_options) {
  const Credentials root = authority();
  std::vector<CertificateOptions> requests(7, options("mx.example"));
  requests[0].common_name.clear();
  requests[1].common_name = std::string(65, 'a');
  requests[2].serial = 0;
  requests[3].not_after = requests[3].not_before;
  requests[4].ip_addresses = {"10.0.0.300"};
  requests[5].dns_names = {"bad name.example"};
  requests[6].dns_names = {"mx.example\r\nX-Injected: yes"};

  for (std::size_t i = 0; i < requests.size(); ++i) {
    BOOST_TEST_CONTEXT("request " << i) {
      auto issued = runtime::issue_certificate(root, requests[i]);
      BOOST_REQUIRE(!issued);
      BOOST_TEST(issued.error() == make_error_code(Error::bad_certificate_options));
    }
  }
}

BOOST_AUTO_TEST_CASE(an_unusable_authority_fails_with_bad_pem) {
  const Credentials root = authority();
  const Credentials leaf = runtime::issue_certificate(root, options("mx.example")).value();
  std::vector<Credentials> authorities(3, root);
  authorities[0].certificate_pem = "not a certificate";
  authorities[1].private_key_pem = authority().private_key_pem;  // not the root's key
  authorities[2] = leaf;                                         // cannot sign certificates

  for (std::size_t i = 0; i < authorities.size(); ++i) {
    BOOST_TEST_CONTEXT("authority " << i) {
      auto issued = runtime::issue_certificate(authorities[i], options("mx.example"));
      BOOST_REQUIRE(!issued);
      BOOST_TEST(issued.error() == make_error_code(Error::bad_pem));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
