#include "gateway/server/received_header.hpp"

#include <chrono>
#include <cstdio>

namespace gateway {

std::string format_rfc5322_date(runtime::WallTime time) {
  using namespace std::chrono;
  static constexpr const char* weekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day_count = floor<days>(time.time_since_epoch());
  const year_month_day date{sys_days{day_count}};
  const weekday day_of_week{sys_days{day_count}};
  const hh_mm_ss clock{floor<seconds>(time.time_since_epoch() - day_count)};

  char text[40];
  std::snprintf(text, sizeof text, "%s, %02u %s %04d %02ld:%02ld:%02ld +0000",
                weekdays[day_of_week.c_encoding()], static_cast<unsigned>(date.day()),
                months[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                static_cast<long>(clock.hours().count()),
                static_cast<long>(clock.minutes().count()),
                static_cast<long>(clock.seconds().count()));
  return text;
}

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
  field += "; " + format_rfc5322_date(envelope.received_time) + "\r\n";
  return field;
}

}  // namespace gateway
