// Translation between the seam's endpoints (host as written, port) and Asio's TCP
// endpoints, shared by the real listener, streams and connects.
#pragma once

#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "runtime/endpoint.hpp"

namespace runtime {

namespace asio = boost::asio;

// The seam's form of a TCP endpoint: the address as a literal, IPv6 without brackets. An
// IPv4 peer seen through a dual-stack IPv6 socket (::ffff:a.b.c.d) is given as plain IPv4,
// so logs and comparisons see one spelling per peer.
Endpoint to_endpoint(const asio::ip::tcp::endpoint& endpoint);

// The address `host` spells if it is an IPv4 or IPv6 literal (unbracketed, optionally with
// an IPv6 scope such as "fe80::1%eth0"); nothing if it is a name to resolve.
std::optional<asio::ip::address> parse_ip_literal(const std::string& host);

}  // namespace runtime
