#include "gateway/smtp/capabilities.hpp"

namespace gateway::smtp {

std::vector<std::string> capability_keywords(const CapabilityOptions& options) {
  std::vector<std::string> keywords;
  keywords.push_back("SIZE " + std::to_string(options.message_octets_max));
  if (options.pipelining) {
    keywords.emplace_back("PIPELINING");
  }
  if (options.eight_bit_mime) {
    keywords.emplace_back("8BITMIME");
  }
  if (options.enhanced_status_codes) {
    keywords.emplace_back("ENHANCEDSTATUSCODES");
  }
  if (options.chunking) {
    keywords.emplace_back("CHUNKING");
  }
  if (options.starttls_offered && !options.tls_active) {
    keywords.emplace_back("STARTTLS");
  }
  return keywords;
}

Reply ehlo_reply(const CapabilityOptions& options) {
  constexpr int completed = 250;
  Reply reply{completed, "", {options.hostname}};
  for (std::string& keyword : capability_keywords(options)) {
    reply.lines.push_back(std::move(keyword));
  }
  return reply;
}

}  // namespace gateway::smtp
