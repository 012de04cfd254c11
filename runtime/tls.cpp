#include "runtime/tls.hpp"

#include <cassert>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "runtime/completion.hpp"
#include "runtime/host.hpp"

namespace runtime {

struct TlsContext::State {
  explicit State(SSL_CTX* handle) : context(handle) {}

  asio::ssl::context context;  // owns the SSL_CTX
  bool verify_peer = false;
};

struct TlsContextAccess {
  using State = TlsContext::State;

  static State& state(TlsContext& context) { return *context.state_; }
  static TlsContext wrap(std::unique_ptr<State> state) { return TlsContext(std::move(state)); }
};

namespace {

using State = TlsContextAccess::State;
using SslStream = asio::ssl::stream<ByteStream>;

class VerifyCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "tls.verify"; }
  std::string message(int value) const override { return X509_verify_cert_error_string(value); }
};

std::time_t to_time_t(WallTime time) {
  return static_cast<std::time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count());
}

// The oldest error OpenSSL queued on this thread, as an error code.
error_code openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return Error::tls_setup;
  }
  return {static_cast<int>(code), asio::error::get_ssl_category()};
}

// A context with what every connection here shares.
Result<std::unique_ptr<State>> new_state(TlsRole role) {
  SSL_CTX* handle =
      SSL_CTX_new(role == TlsRole::server ? TLS_server_method() : TLS_client_method());
  if (handle == nullptr) {
    return openssl_error();
  }
  auto state = std::make_unique<State>(handle);

  // TLS 1.0 and 1.1 are retired (RFC 8996). Renegotiation (TLS 1.2) would change what was
  // negotiated after the handshake reported it.
  if (SSL_CTX_set_min_proto_version(handle, TLS1_2_VERSION) != 1) {
    return openssl_error();
  }
  SSL_CTX_set_options(handle, SSL_OP_NO_RENEGOTIATION);

  // No session tickets and no session cache, so every connection makes a full handshake:
  // certificates are checked against the clock of each connection (a resumed session
  // would skip the check, hiding an expiry that virtual time crossed), and no ticket
  // messages follow the handshake, so what a simulated connection carries afterwards is
  // the application's alone.
  if (role == TlsRole::server) {
    SSL_CTX_set_options(handle, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(handle, 0);
    SSL_CTX_set_session_cache_mode(handle, SSL_SESS_CACHE_OFF);
  }
  return state;
}

error_code load_identity(State& state, std::string_view chain_pem, std::string_view key_pem) {
  error_code ec;
  state.context.use_certificate_chain(asio::buffer(chain_pem.data(), chain_pem.size()), ec);
  if (!ec) {
    state.context.use_private_key(asio::buffer(key_pem.data(), key_pem.size()),
                                  asio::ssl::context::pem, ec);
  }
  if (!ec && SSL_CTX_check_private_key(state.context.native_handle()) != 1) {
    ec = openssl_error();
  }
  return ec;
}

error_code load_identity_files(State& state, const std::string& chain_path,
                               const std::string& key_path) {
  error_code ec;
  state.context.use_certificate_chain_file(chain_path, ec);
  if (!ec) {
    state.context.use_private_key_file(key_path, asio::ssl::context::pem, ec);
  }
  if (!ec && SSL_CTX_check_private_key(state.context.native_handle()) != 1) {
    ec = openssl_error();
  }
  return ec;
}

void require_verification(State& state, int mode) {
  SSL_CTX_set_verify(state.context.native_handle(), mode, nullptr);
  state.verify_peer = true;
}

// Builds a client context that verifies, given a step that loads its trust anchors.
template <typename LoadAnchors>
Result<TlsContext> verifying_client(LoadAnchors load_anchors) {
  auto state = new_state(TlsRole::client);
  if (!state) {
    return state.error();
  }
  error_code ec;
  load_anchors((*state)->context, ec);
  if (ec) {
    return ec;
  }
  require_verification(**state, SSL_VERIFY_PEER);
  return TlsContextAccess::wrap(std::move(*state));
}

// The subject of a certificate as RFC 2253 text ("CN=mx.example"). Control and non-ASCII
// bytes come out escaped, so the text is safe to put in a header or a log line.
std::string subject_text(X509* certificate) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) {
    return {};
  }
  std::string text;
  if (X509_NAME_print_ex(bio, X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253) >= 0) {
    text.resize(BIO_ctrl_pending(bio));
    const int size = static_cast<int>(text.size());
    if (size > 0 && BIO_read(bio, text.data(), size) != size) {
      text.clear();
    }
  }
  BIO_free(bio);
  return text;
}

TlsDetails read_details(SSL* ssl) {
  TlsDetails details;
  details.version = SSL_get_version(ssl);
  details.cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(ssl));
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer != nullptr) {
    details.peer_subject = subject_text(peer);
  }
  const bool verifying = (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0;
  details.peer_verified = peer != nullptr && verifying && SSL_get_verify_result(ssl) == X509_V_OK;
  return details;
}

// Replaces OpenSSL's generic "certificate verify failed" with the verification result
// that caused it, so that logs say what was wrong with the certificate.
error_code describe_failure(SSL* ssl, error_code ec) {
  const bool verifying = (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0;
  const long result = SSL_get_verify_result(ssl);
  if (ec == asio::error::operation_aborted || !verifying || result == X509_V_OK) {
    return ec;
  }
  return {static_cast<int>(result), tls_verify_category()};
}

// A client sends the server's name (SNI) and, when it verifies, checks the certificate
// against it: a DNS name, or an IP literal matched against the IP entries.
error_code set_peer_name(SSL* ssl, const std::string& name, bool verify) {
  error_code not_literal;
  asio::ip::make_address(name, not_literal);
  const bool literal = !not_literal;

  // SNI carries host names only, never literal addresses (RFC 6066 3). OpenSSL's control
  // call takes a mutable pointer but only copies the name.
  char* sni = const_cast<char*>(name.c_str());
  if (!name.empty() && !literal &&
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, sni) != 1) {
    return openssl_error();
  }
  if (!verify) {
    return {};
  }

  // Without a name there is nothing to check the certificate against: fail closed.
  if (name.empty()) {
    return Error::tls_setup;
  }
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  // A wildcard stands for one whole label, never part of one (RFC 6125 6.4.3).
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int set = literal ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                          : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  return set == 1 ? error_code() : openssl_error();
}

// What a TLS stream's operations use. Asio's SSL operations refer to it until their
// handlers run, so pending operations hold it too: a stream destroyed while an operation
// is pending (closing aborts the operation) leaves it alive until the abort completes.
struct Core {
  Core(ByteStream plain, asio::ssl::context& context) : ssl(std::move(plain), context) {}

  SslStream ssl;
};

// Wraps `handler` so that its operation keeps `core` alive until it completes; the
// caller's cancellation slot goes with it.
auto holding(std::shared_ptr<Core> core, IoHandler handler) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  return asio::bind_cancellation_slot(
      slot, [core = std::move(core), handler = std::move(handler)](
                error_code ec, std::size_t n) mutable { std::move(handler)(ec, n); });
}

class TlsStream final : public StreamImpl {
 public:
  TlsStream(ByteStream plain, asio::ssl::context& context)
      : core_(std::make_shared<Core>(std::move(plain), context)) {}
  ~TlsStream() override { close(); }

  SslStream& ssl() { return core_->ssl; }
  SSL* native_handle() { return core_->ssl.native_handle(); }
  void set_details(TlsDetails details) { details_ = std::move(details); }

  asio::any_io_executor executor() const override { return core_->ssl.get_executor(); }

  void read_some(asio::mutable_buffer buffer, IoHandler handler) override {
    core_->ssl.async_read_some(buffer, holding(core_, std::move(handler)));
  }

  void write_some(asio::const_buffer buffer, IoHandler handler) override {
    core_->ssl.async_write_some(buffer, holding(core_, std::move(handler)));
  }

  void shutdown_send() override;

  void close() override { core_->ssl.next_layer().close(); }
  Endpoint local_endpoint() const override { return core_->ssl.next_layer().local_endpoint(); }
  Endpoint remote_endpoint() const override { return core_->ssl.next_layer().remote_endpoint(); }
  bool is_tls() const override { return true; }
  std::optional<TlsDetails> tls_details() const override { return details_; }

 private:
  std::shared_ptr<Core> core_;
  TlsDetails details_;
  bool sent_close_notify_ = false;
};

void TlsStream::shutdown_send() {
  if (sent_close_notify_) {
    return;
  }
  sent_close_notify_ = true;

  // Asio's shutdown sends close_notify and then waits for the peer's, reading; that would
  // swallow what the peer still sends after our half-close. Marking the peer's
  // close_notify as already received makes OpenSSL send ours and finish at once. The
  // first step of the shutdown runs inside async_shutdown, so the mark is lifted straight
  // after it and reads go on as before.
  SSL* ssl = native_handle();
  const int received = SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN;
  SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
  core_->ssl.async_shutdown([core = core_](error_code) {
    // Sent or not, the peer then reads the end of the stream underneath.
    core->ssl.next_layer().shutdown_send();
  });
  SSL_set_shutdown(ssl, (SSL_get_shutdown(ssl) & ~SSL_RECEIVED_SHUTDOWN) | received);
}

void finish_handshake(std::unique_ptr<TlsStream> stream, StreamHandler handler, error_code ec) {
  if (ec) {
    const error_code failure = describe_failure(stream->native_handle(), ec);
    // Dropping the TLS stream closes the connection underneath.
    stream.reset();
    std::move(handler)(failure, ByteStream());
    return;
  }
  stream->set_details(read_details(stream->native_handle()));
  std::move(handler)(error_code(), ByteStream(std::move(stream)));
}

void run_handshake(std::unique_ptr<TlsStream> stream, TlsRole role, StreamHandler handler) {
  const auto type =
      role == TlsRole::client ? asio::ssl::stream_base::client : asio::ssl::stream_base::server;
  // The handshake's reads and writes listen to the caller's cancellation slot.
  auto slot = asio::get_associated_cancellation_slot(handler);
  SslStream& ssl = stream->ssl();
  ssl.async_handshake(type, asio::bind_cancellation_slot(
                                slot, [stream = std::move(stream),
                                       handler = std::move(handler)](error_code ec) mutable {
                                  finish_handshake(std::move(stream), std::move(handler), ec);
                                }));
}

}  // namespace

TlsContext::TlsContext(std::unique_ptr<State> state) : state_(std::move(state)) {}
TlsContext::TlsContext(TlsContext&&) noexcept = default;
TlsContext& TlsContext::operator=(TlsContext&&) noexcept = default;
TlsContext::~TlsContext() = default;

Result<TlsContext> TlsContext::server(std::string_view certificate_chain_pem,
                                      std::string_view private_key_pem) {
  auto state = new_state(TlsRole::server);
  if (!state) {
    return state.error();
  }
  if (error_code ec = load_identity(**state, certificate_chain_pem, private_key_pem)) {
    return ec;
  }
  return TlsContext(std::move(*state));
}

Result<TlsContext> TlsContext::server_from_files(const std::string& certificate_chain_path,
                                                 const std::string& private_key_path) {
  auto state = new_state(TlsRole::server);
  if (!state) {
    return state.error();
  }
  if (error_code ec = load_identity_files(**state, certificate_chain_path, private_key_path)) {
    return ec;
  }
  return TlsContext(std::move(*state));
}

Result<TlsContext> TlsContext::client_encrypt_only() {
  auto state = new_state(TlsRole::client);
  if (!state) {
    return state.error();
  }
  SSL_CTX_set_verify((*state)->context.native_handle(), SSL_VERIFY_NONE, nullptr);
  return TlsContext(std::move(*state));
}

Result<TlsContext> TlsContext::client_verifying(std::string_view ca_pem) {
  return verifying_client([ca_pem](asio::ssl::context& context, error_code& ec) {
    context.add_certificate_authority(asio::buffer(ca_pem.data(), ca_pem.size()), ec);
  });
}

Result<TlsContext> TlsContext::client_verifying_file(const std::string& ca_path) {
  return verifying_client([&ca_path](asio::ssl::context& context, error_code& ec) {
    context.load_verify_file(ca_path, ec);
  });
}

Result<TlsContext> TlsContext::client_verifying_system() {
  return verifying_client(
      [](asio::ssl::context& context, error_code& ec) { context.set_default_verify_paths(ec); });
}

error_code TlsContext::use_certificate(std::string_view certificate_chain_pem,
                                       std::string_view private_key_pem) {
  return load_identity(*state_, certificate_chain_pem, private_key_pem);
}

error_code TlsContext::verify_clients(std::string_view ca_pem, bool required) {
  error_code ec;
  state_->context.add_certificate_authority(asio::buffer(ca_pem.data(), ca_pem.size()), ec);
  if (ec) {
    return ec;
  }
  require_verification(*state_, SSL_VERIFY_PEER | (required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0));
  return {};
}

bool TlsContext::verifies_peer() const {
  return state_->verify_peer;
}

const boost::system::error_category& tls_verify_category() noexcept {
  static const VerifyCategory category;
  return category;
}

void start_tls_handshake(Host& host, ByteStream plain, TlsContext& context, TlsRole role,
                         std::string peer_name, StreamHandler handler) {
  assert(plain.is_open() && "a handshake needs a connection");
  const asio::any_io_executor executor = plain.get_executor();
  State& state = TlsContextAccess::state(context);
  auto stream = std::make_unique<TlsStream>(std::move(plain), state.context);
  SSL* ssl = stream->native_handle();

  // Certificates are valid or not at the host's wall-clock time, which is virtual in a
  // simulated world.
  X509_VERIFY_PARAM_set_time(SSL_get0_param(ssl), to_time_t(host.clock().wall_now()));

  // A client names the server it wants; a failure here ends the attempt before any byte.
  if (role == TlsRole::client) {
    if (error_code ec = set_peer_name(ssl, peer_name, state.verify_peer)) {
      stream.reset();
      post_completion(executor, std::move(handler), ec, ByteStream());
      return;
    }
  }
  run_handshake(std::move(stream), role, std::move(handler));
}

}  // namespace runtime
