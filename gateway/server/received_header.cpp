#include "gateway/server/received_header.hpp"

#include "gateway/smtp/message_fields.hpp"

namespace gateway {

std::string received_header(const Envelope& envelope, bool extended, std::string_view hostname,
                            std::string_view queue_id) {
  // The client's address without its port: the port says nothing about the sender.
  std::string address = envelope.client_address;
  if (const auto colon = address.rfind(':'); colon != std::string::npos) {
    address.resize(colon);
  }
  if (address.starts_with('[') && address.ends_with(']')) {
    address = address.substr(1, address.size() - 2);
  }

  std::string field = "Received: from " + envelope.helo_name + " (" + address + ")\r\n";
  field += "\tby ";
  field += hostname;
  field += " (mta-gateway) with ";
  field += envelope.tls ? "ESMTPS" : (extended ? "ESMTP" : "SMTP");
  if (envelope.tls && !envelope.tls_details.empty()) {
    field += " (" + envelope.tls_details + ")";
  }
  field += " id ";
  field += queue_id;
  field += "\r\n\t";
  if (envelope.recipients.size() == 1) {
    field += "for <" + envelope.recipients.front() + ">";
  }
  field += "; " + smtp::format_message_date(envelope.received_time) + "\r\n";
  return field;
}

}  // namespace gateway
