#include "gateway/smtp/message_fields.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace gateway::smtp {
namespace {

constexpr std::size_t boundary_random_chars = 24;
constexpr std::size_t message_id_random_chars = 20;

}  // namespace

std::string format_message_date(runtime::WallTime time) {
  using namespace std::chrono;
  static constexpr std::array<const char*, 7> weekdays = {"Sun", "Mon", "Tue", "Wed",
                                                          "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{floor<seconds>(time - day)};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02u %s %04d %02d:%02d:%02d +0000",
                weekdays[weekday{day}.c_encoding()], static_cast<unsigned>(date.day()),
                months[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

std::string draw_mime_boundary(runtime::Random& random) {
  return "=_" + random.alphanumeric(boundary_random_chars);
}

std::string draw_message_id(runtime::Random& random, std::string_view hostname) {
  return "<" + random.alphanumeric(message_id_random_chars) + "@" + std::string(hostname) + ">";
}

}  // namespace gateway::smtp
