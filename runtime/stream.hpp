// The byte stream: one type for a TCP connection, an in-memory simulated connection, or
// TLS over either. It has the shape of an Asio stream (executor, async_read_some,
// async_write_some, lowest_layer), so asio::ssl::stream and Asio's composed operations
// (async_read, async_write, async_read_until) sit on it unchanged.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>

#include "runtime/endpoint.hpp"
#include "runtime/error.hpp"

namespace runtime {

namespace asio = boost::asio;

using IoHandler = asio::any_completion_handler<void(error_code, std::size_t)>;

// What a TLS stream negotiated, for Received headers (RFC 5321 4.4) and logs. Plain text
// so that headers including this one need no TLS library.
struct TlsDetails {
  std::string version;         // the protocol version, such as "TLSv1.3"
  std::string cipher;          // the cipher suite, such as "TLS_AES_256_GCM_SHA384"
  std::string peer_subject;    // the peer certificate's subject ("CN=mx.example"), or empty
  bool peer_verified = false;  // the peer's chain and name were checked and passed
};

// One stream's implementation. Rules every implementation keeps:
// - At most one read and one write are outstanding at a time.
// - Handlers complete through their associated executor, never inside the call.
// - A pending operation honours its handler's cancellation slot (operation_aborted).
// - A zero-length read or write completes at once with 0 bytes.
// - Reads complete with asio::error::eof once the peer has shut down its sending side and
//   every byte before that was read; with connection_reset after a reset.
class StreamImpl {
 public:
  virtual ~StreamImpl() = default;
  virtual asio::any_io_executor executor() const = 0;
  virtual void read_some(asio::mutable_buffer buffer, IoHandler handler) = 0;
  virtual void write_some(asio::const_buffer buffer, IoHandler handler) = 0;
  // Half-close: the peer reads end of stream after what was written; reading goes on.
  virtual void shutdown_send() = 0;
  // Closes both directions; pending operations complete with operation_aborted.
  virtual void close() = 0;
  virtual Endpoint local_endpoint() const = 0;
  virtual Endpoint remote_endpoint() const = 0;
  // Whether the bytes are encrypted on the wire (TLS is established).
  virtual bool is_tls() const { return false; }
  // What TLS negotiated, once established; nothing for a plain stream.
  virtual std::optional<TlsDetails> tls_details() const { return std::nullopt; }
};

class ByteStream {
 public:
  using executor_type = asio::any_io_executor;
  using lowest_layer_type = ByteStream;

  ByteStream() = default;
  explicit ByteStream(std::unique_ptr<StreamImpl> impl) : impl_(std::move(impl)) {}
  ByteStream(ByteStream&&) noexcept = default;
  ByteStream& operator=(ByteStream&&) noexcept = default;
  ~ByteStream() {
    if (impl_) {
      impl_->close();
    }
  }

  bool is_open() const { return impl_ != nullptr; }
  executor_type get_executor() const { return impl_->executor(); }
  lowest_layer_type& lowest_layer() { return *this; }
  const lowest_layer_type& lowest_layer() const { return *this; }

  template <typename MutableBufferSequence, typename Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    asio::mutable_buffer first = first_buffer<asio::mutable_buffer>(buffers);
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [](auto handler, StreamImpl* impl, asio::mutable_buffer buffer) {
          impl->read_some(buffer, IoHandler(std::move(handler)));
        },
        token, impl_.get(), first);
  }

  template <typename ConstBufferSequence, typename Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    asio::const_buffer first = first_buffer<asio::const_buffer>(buffers);
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [](auto handler, StreamImpl* impl, asio::const_buffer buffer) {
          impl->write_some(buffer, IoHandler(std::move(handler)));
        },
        token, impl_.get(), first);
  }

  void shutdown_send() { impl_->shutdown_send(); }
  void close() {
    if (impl_) {
      impl_->close();
    }
  }
  Endpoint local_endpoint() const { return impl_->local_endpoint(); }
  Endpoint remote_endpoint() const { return impl_->remote_endpoint(); }
  bool is_tls() const { return impl_->is_tls(); }
  std::optional<TlsDetails> tls_details() const { return impl_->tls_details(); }

  // Gives up the implementation, for layering (TLS takes the stream it runs over).
  std::unique_ptr<StreamImpl> release() { return std::move(impl_); }

 private:
  // The first non-empty buffer of a sequence: a *_some operation may transfer less than
  // offered, so transferring from the first buffer alone is correct.
  template <typename Buffer, typename Sequence>
  static Buffer first_buffer(const Sequence& buffers) {
    auto end = asio::buffer_sequence_end(buffers);
    for (auto it = asio::buffer_sequence_begin(buffers); it != end; ++it) {
      Buffer buffer(*it);
      if (buffer.size() != 0) {
        return buffer;
      }
    }
    return Buffer();
  }

  std::unique_ptr<StreamImpl> impl_;
};

}  // namespace runtime
