// A simulated world with the emulator on one node and a client node that speaks raw
// HTTP/1.1 to it, so that tests see exactly what goes over the wire and when.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "emulator_mock/behaviour_parser.hpp"
#include "emulator_mock/emulator.hpp"
#include "emulator_mock/file_scan.hpp"
#include "runtime/certificates.hpp"
#include "runtime/tls.hpp"
#include "sim/network.hpp"
#include "sim/world.hpp"

namespace emulator_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using sim::SimTime;

inline const std::string emulator_address = "10.0.0.5";
inline const std::uint16_t emulator_port = 18194;

// What the client saw of one exchange.
struct HttpResponse {
  bool connected = false;
  bool timed_out = false;   // the client gave up waiting
  bool complete = false;    // a head arrived and the body has its Content-Length
  int http_status = 0;
  std::string head;
  std::string body;
  SimTime first_byte_at{-1};
  SimTime finished_at{-1};
  // From the JSON answer, when the body is one.
  int code = 0;
  std::string label;
  std::string verdict;
  std::string sha256;
};

inline std::string http_request(std::string_view method, std::string_view target,
                                std::string_view content_type, std::string_view body) {
  std::string text = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  text += "Host: emulator\r\n";
  if (!content_type.empty()) {
    text += "Content-Type: " + std::string(content_type) + "\r\n";
  }
  text += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  text += body;
  return text;
}

inline std::string query_request(const std::string& sha256, const std::string& file_name = "") {
  std::string body = R"({"request": {"sha256": ")" + sha256 + R"(", "features": ["te"])";
  if (!file_name.empty()) {
    body += R"(, "file_name": ")" + file_name + "\"";
  }
  body += "}}";
  return http_request("POST", emulator_mock::query_path, "application/json", body);
}

inline std::string form_body(const std::string& boundary, const std::string& request_json,
                             const std::string& file_name, std::string_view bytes) {
  std::string body = "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"request\"\r\n";
  body += "Content-Type: application/json\r\n\r\n" + request_json + "\r\n";
  body += "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"file\"; filename=\"" + file_name + "\"\r\n";
  body += "Content-Type: application/octet-stream\r\n\r\n";
  body += bytes;
  body += "\r\n--" + boundary + "--\r\n";
  return body;
}

inline std::string upload_request(const std::string& file_name, std::string_view bytes) {
  const std::string json = R"({"request": {"sha256": ")" + emulator_mock::sha256_hex(bytes) +
                           R"(", "file_name": ")" + file_name + R"(", "features": ["te"]}})";
  return http_request("POST", emulator_mock::upload_path,
                      "multipart/form-data; boundary=XyZzY42",
                      form_body("XyZzY42", json, file_name, bytes));
}

inline void parse_response(HttpResponse& out, const std::string& received) {
  const auto head_end = received.find("\r\n\r\n");
  if (head_end == std::string::npos || !received.starts_with("HTTP/1.1 ")) {
    out.body = received;
    return;
  }
  out.head = received.substr(0, head_end);
  out.body = received.substr(head_end + 4);
  out.http_status = std::stoi(received.substr(9, 3));
  const auto length_at = out.head.find("Content-Length: ");
  if (length_at != std::string::npos) {
    const auto length = std::stoul(out.head.substr(length_at + 16));
    out.complete = out.body.size() == length;
  }
  boost::system::error_code ec;
  const auto document = boost::json::parse(out.body, ec);
  if (ec || !document.is_object() || !document.as_object().contains("response")) {
    return;
  }
  const auto& response = document.at("response");
  out.code = static_cast<int>(response.at("status").at("code").as_int64());
  out.label = std::string(response.at("status").at("label").as_string());
  out.sha256 = std::string(response.at("sha256").as_string());
  out.verdict = std::string(response.at("te").at("combined_verdict").as_string());
}

// One event of the trace, with its time.
struct TraceEvent {
  std::int64_t t_us = 0;
  std::string node;
  std::string event;
  boost::json::object fields;
};

class Fixture {
 public:
  explicit Fixture(emulator_mock::Behaviour behaviour = {}, bool with_tls = false,
                   std::uint64_t seed = 1)
      : world(sim::WorldOptions{.seed = seed}),
        emulator_node(world.add_node("emulator", emulator_address)),
        client(world.add_node("client", "10.0.0.6")),
        behaviour_(std::move(behaviour)) {
    world.trace().keep_lines(true);
    if (with_tls) {
      make_tls();
    }
    emulator_node.boot([this](runtime::Host& host) {
      auto made = std::make_shared<emulator_mock::Emulator>(host, behaviour_);
      if (server_tls_) {
        made->use_tls(std::move(*server_tls_));
        server_tls_.reset();
      }
      BOOST_REQUIRE(!made->start(runtime::Endpoint{emulator_address, emulator_port}));
      emulator = made;
      return std::shared_ptr<void>(made);
    });
    client.boot([](runtime::Host&) { return std::shared_ptr<void>(); });
  }

  explicit Fixture(const std::string& yaml, bool with_tls = false, std::uint64_t seed = 1)
      : Fixture(parse_or_fail(yaml), with_tls, seed) {}

  static emulator_mock::Behaviour parse_or_fail(const std::string& yaml) {
    auto parsed = emulator_mock::parse_behaviour(yaml, "test.yaml");
    BOOST_REQUIRE_MESSAGE(parsed, parsed.error_text());
    return std::move(*parsed.behaviour);
  }

  // Sends `raw` on a new connection and reads until the server closes it or `patience`
  // passes. Runs the world until the exchange is over.
  HttpResponse send(std::string raw, runtime::Duration patience = 10min) {
    auto out = std::make_shared<HttpResponse>();
    auto done = std::make_shared<bool>(false);
    asio::co_spawn(client.executor(), exchange(client, std::move(raw), patience, out, done,
                                               client_tls_ ? &*client_tls_ : nullptr),
                   asio::detached);
    world.run_until([&] { return *done; }, world.now() + patience + 1min);
    BOOST_REQUIRE_MESSAGE(*done, "the exchange did not end");
    return *out;
  }

  HttpResponse query(const std::string& sha256, runtime::Duration patience = 10min) {
    return send(query_request(sha256), patience);
  }
  HttpResponse upload(const std::string& file_name, std::string_view bytes,
                      runtime::Duration patience = 10min) {
    return send(upload_request(file_name, bytes), patience);
  }

  // Moves virtual time to `at` (since the world began), running whatever falls due.
  void run_to(SimTime at) { world.run_until(at); }

  std::vector<TraceEvent> events(std::string_view name) {
    std::vector<TraceEvent> found;
    std::string_view text = world.trace().text();
    while (!text.empty()) {
      const auto end = text.find('\n');
      const auto line = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      auto object = boost::json::parse(line).as_object();
      if (object.at("event").as_string() != name) {
        continue;
      }
      TraceEvent event{object.at("t_us").as_int64(), std::string(object.at("node").as_string()),
                       std::string(object.at("event").as_string()), object};
      found.push_back(std::move(event));
    }
    return found;
  }

  sim::World world;
  sim::Node& emulator_node;
  sim::Node& client;
  std::shared_ptr<emulator_mock::Emulator> emulator;
  std::optional<runtime::Credentials> authority;

 private:
  void make_tls() {
    const auto start = world.wall_now() - 24h;
    authority = runtime::make_certificate_authority(
                    {.common_name = "Test CA", .not_before = start, .not_after = start + 24h * 400})
                    .value();
    auto leaf = runtime::issue_certificate(*authority, {.common_name = "te.example",
                                                        .dns_names = {"te.example"},
                                                        .not_before = start,
                                                        .not_after = start + 24h * 400,
                                                        .serial = 2})
                    .value();
    server_tls_.emplace(runtime::TlsContext::server(leaf.chain_pem, leaf.private_key_pem).value());
    client_tls_.emplace(runtime::TlsContext::client_verifying(authority->certificate_pem).value());
  }

  static asio::awaitable<void> exchange(sim::Node& node, std::string raw,
                                        runtime::Duration patience,
                                        std::shared_ptr<HttpResponse> out,
                                        std::shared_ptr<bool> done, runtime::TlsContext* tls);

  emulator_mock::Behaviour behaviour_;
  std::optional<runtime::TlsContext> server_tls_;
  std::optional<runtime::TlsContext> client_tls_;
};

inline asio::awaitable<void> Fixture::exchange(sim::Node& node, std::string raw,
                                               runtime::Duration patience,
                                               std::shared_ptr<HttpResponse> out,
                                               std::shared_ptr<bool> done,
                                               runtime::TlsContext* tls) {
  using namespace asio::experimental::awaitable_operators;
  const runtime::Endpoint server{emulator_address, emulator_port};
  auto [connect_error, stream] = co_await runtime::async_connect(
      node.network(), server, asio::as_tuple(asio::use_awaitable));
  if (connect_error) {
    *done = true;
    co_return;
  }
  if (tls != nullptr) {
    auto [tls_error, secured] = co_await runtime::async_tls_handshake(
        node, std::move(stream), *tls, runtime::TlsRole::client, "te.example",
        asio::as_tuple(asio::use_awaitable));
    if (tls_error) {
      *done = true;
      co_return;
    }
    stream = std::move(secured);
  }
  out->connected = true;
  auto [write_error, written] =
      co_await asio::async_write(stream, asio::buffer(raw), asio::as_tuple(asio::use_awaitable));
  (void)written;

  // Read until the server ends the connection or patience runs out.
  runtime::Timer deadline(node);
  deadline.expires_after(patience);
  std::string received;
  std::array<char, 4096> buffer{};
  while (!write_error) {
    auto outcome = co_await (stream.async_read_some(asio::buffer(buffer),
                                                    asio::as_tuple(asio::use_awaitable)) ||
                             deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() == 1) {
      out->timed_out = true;
      break;
    }
    auto [ec, count] = std::get<0>(outcome);
    if (count > 0 && received.empty()) {
      out->first_byte_at = node.world().now();
    }
    received.append(buffer.data(), count);
    if (ec) {
      break;
    }
  }
  out->finished_at = node.world().now();
  parse_response(*out, received);
  *done = true;
}

}  // namespace emulator_test
