// The stages of an outbound SMTP session, in the order they happen. Every failure of a
// delivery attempt is named by the stage it happened in, in replies kept for the sender,
// in events and in logs.
#pragma once

#include <string_view>

namespace gateway {

enum class DeliveryStage {
  connect,   // opening the connection to the next hop
  greeting,  // waiting for the 220 greeting (RFC 5321 3.1)
  ehlo,      // EHLO, or HELO when EHLO is refused (RFC 5321 4.1.1.1)
  starttls,  // STARTTLS and the TLS handshake (RFC 3207)
  mail,      // MAIL FROM (RFC 5321 4.1.1.2)
  rcpt,      // RCPT TO (RFC 5321 4.1.1.3)
  data,      // DATA, its 354 reply and the content (RFC 5321 4.1.1.4)
  dot,       // the reply to the final "." (RFC 5321 4.1.1.4)
};

// The stage's lower-case name, as events and replies spell it.
constexpr std::string_view stage_name(DeliveryStage stage) {
  switch (stage) {
    case DeliveryStage::connect:
      return "connect";
    case DeliveryStage::greeting:
      return "greeting";
    case DeliveryStage::ehlo:
      return "ehlo";
    case DeliveryStage::starttls:
      return "starttls";
    case DeliveryStage::mail:
      return "mail";
    case DeliveryStage::rcpt:
      return "rcpt";
    case DeliveryStage::data:
      return "data";
    case DeliveryStage::dot:
      return "dot";
  }
  return "unknown";
}

}  // namespace gateway
