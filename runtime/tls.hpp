// TLS over any ByteStream: a TCP connection in the real world, an in-memory connection in
// a simulated one. The same OpenSSL code runs in both; certificate validity is checked
// against the host's wall clock, which is virtual in a simulated world. OpenSSL and Asio's
// SSL layer stay inside tls.cpp, so gateway headers can include this one cheaply.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/system/error_category.hpp>

#include "runtime/error.hpp"
#include "runtime/network.hpp"
#include "runtime/stream.hpp"

namespace runtime {

class Host;

enum class TlsRole { client, server };

// The settings and identity that TLS connections share. Every context requires TLS 1.2 or
// later. Contexts made here are startup objects: set one up completely before its first
// handshake, and note that the *_file factories read the real file system, so simulated
// worlds pass PEM text instead.
//
// Errors of the factories and setters: OpenSSL's, in asio::error::get_ssl_category(), for
// PEM that does not parse or a key that does not match its certificate (the message names
// the reason, such as "no start line"); Error::tls_setup when OpenSSL gives no reason.
class TlsContext {
 public:
  // A server presenting `certificate_chain_pem` (its certificate first, then any
  // intermediates) with `private_key_pem`.
  static Result<TlsContext> server(std::string_view certificate_chain_pem,
                                   std::string_view private_key_pem);
  static Result<TlsContext> server_from_files(const std::string& certificate_chain_path,
                                              const std::string& private_key_path);

  // A client that encrypts but accepts any certificate: opportunistic TLS (RFC 7435), as
  // SMTP relays use it when they have no way to know what the peer should present.
  static Result<TlsContext> client_encrypt_only();

  // A client that checks the server's chain against the authorities in `ca_pem` (one or
  // more PEM certificates) and the server's name against the one the handshake is given.
  static Result<TlsContext> client_verifying(std::string_view ca_pem);
  static Result<TlsContext> client_verifying_file(const std::string& ca_path);
  // The same with the system's default trust store.
  static Result<TlsContext> client_verifying_system();

  TlsContext(TlsContext&&) noexcept;
  TlsContext& operator=(TlsContext&&) noexcept;
  ~TlsContext();

  // Presents a certificate when the peer asks for one (a client certificate).
  error_code use_certificate(std::string_view certificate_chain_pem,
                             std::string_view private_key_pem);

  // Server only: asks every client for a certificate and checks it against the
  // authorities in `ca_pem` (no name check). With `required`, a client that sends none
  // fails the handshake; otherwise it is let in unverified.
  error_code verify_clients(std::string_view ca_pem, bool required);

  // Whether handshakes check the peer's certificate.
  bool verifies_peer() const;

 private:
  struct State;
  friend struct TlsContextAccess;

  explicit TlsContext(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

// Failures of certificate verification. The value is OpenSSL's verification result
// (X509_V_ERR_*), the message its text, such as "certificate has expired" or "hostname
// mismatch".
const boost::system::error_category& tls_verify_category() noexcept;

// Runs a TLS handshake over `plain` and completes with (error, stream): on success a
// stream that encrypts what it carries (is_tls(), tls_details()); on failure an empty
// stream, the connection underneath closed.
//
// `peer_name` is, for a client, the server's name or IP literal: DNS names are sent as
// SNI, and a verifying context checks the certificate against it (it must not be empty
// then). A server ignores it. `host` supplies the wall clock that certificates are checked
// against. `host` and `context` need only outlive the start of the handshake.
//
// Honours the handler's cancellation slot (operation_aborted), so a handshake raced
// against a timer stops when the timer wins. Errors: tls_verify_category() when the peer's
// certificate fails verification; OpenSSL's (asio::error::get_ssl_category()) for other
// protocol failures, including alerts from a peer that refused ours ("tlsv1 alert unknown
// ca"); the stream's own errors (eof, connection_reset); operation_aborted.
//
// The TLS stream reads end of stream (eof) after the peer's close_notify and
// asio::ssl::error::stream_truncated when the peer closed without one. Its shutdown_send()
// sends close_notify and then half-closes the stream underneath; reading goes on, as TLS
// 1.3 allows (RFC 8446 6.1). close() aborts without close_notify.
//
// TODO: the TLS stream holds two Asio timers on the io_context behind the connection's
// executor, so it must be destroyed before that io_context, as any Asio I/O object; a
// simulated node destroys its io_context before its process object on a crash, so a
// process object that owns a TLS stream directly (not through a coroutine frame) would
// touch freed memory when it is destroyed.
void start_tls_handshake(Host& host, ByteStream plain, TlsContext& context, TlsRole role,
                         std::string peer_name, StreamHandler handler);

template <typename Token>
auto async_tls_handshake(Host& host, ByteStream plain, TlsContext& context, TlsRole role,
                         std::string peer_name, Token&& token) {
  return asio::async_initiate<Token, void(error_code, ByteStream)>(
      [](auto handler, Host* on, ByteStream stream, TlsContext* with, TlsRole as,
         std::string name) {
        start_tls_handshake(*on, std::move(stream), *with, as, std::move(name),
                            StreamHandler(std::move(handler)));
      },
      token, &host, std::move(plain), &context, role, std::move(peer_name));
}

}  // namespace runtime
