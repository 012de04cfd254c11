#include "runtime/real/tcp_stream.hpp"

#include <utility>

#include "runtime/real/tcp_address.hpp"

namespace runtime {

TcpStream::TcpStream(asio::ip::tcp::socket socket)
    : executor_(socket.get_executor()), socket_(std::move(socket)) {}

asio::any_io_executor TcpStream::executor() const { return executor_; }

void TcpStream::read_some(asio::mutable_buffer buffer, IoHandler handler) {
  socket_.async_read_some(buffer, std::move(handler));
}

void TcpStream::write_some(asio::const_buffer buffer, IoHandler handler) {
  socket_.async_write_some(buffer, std::move(handler));
}

void TcpStream::shutdown_send() {
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void TcpStream::close() {
  error_code ignored;
  socket_.cancel(ignored);
  socket_.close(ignored);
}

Endpoint TcpStream::local_endpoint() const {
  error_code ec;
  auto endpoint = socket_.local_endpoint(ec);
  return ec ? Endpoint{} : to_endpoint(endpoint);
}

Endpoint TcpStream::remote_endpoint() const {
  error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  return ec ? Endpoint{} : to_endpoint(endpoint);
}

}  // namespace runtime
