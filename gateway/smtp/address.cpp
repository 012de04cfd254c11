#include "gateway/smtp/address.hpp"

#include <algorithm>
#include <optional>

#include "gateway/smtp/ascii.hpp"

namespace gateway::smtp {
namespace {

constexpr std::string_view atext_specials = "!#$%&'*+-/=?^_`{|}~";
constexpr std::string_view ipv6_tag = "IPv6";
constexpr std::size_t ipv4_parts = 4;
constexpr std::size_t ipv4_part_digits_max = 3;
constexpr int ipv4_part_max = 255;
constexpr std::size_t ipv6_group_digits_max = 4;
constexpr std::size_t ipv6_groups = 8;
constexpr std::size_t ipv6_groups_in_ipv4 = 2;

// RFC 4291 2.2 and RFC 5321 4.1.3: "::" stands for at least two groups of zeros, so at most
// six groups may be written beside it.
constexpr std::size_t ipv6_groups_beside_gap_max = ipv6_groups - 2;

// RFC 5322 3.2.3: the characters of an atom.
bool is_atext(char c) {
  return ascii::is_alnum(c) || atext_specials.find(c) != std::string_view::npos;
}

// RFC 5321 4.1.2 qtextSMTP: printable US-ASCII and space, except '"' and '\'.
bool is_qtext(char c) {
  return c >= ' ' && c < ascii::delete_char && c != '"' && c != '\\';
}

// RFC 5321 4.1.2 quoted-pairSMTP: a backslash and any printable US-ASCII or space.
bool is_quotable(char c) {
  return c >= ' ' && c < ascii::delete_char;
}

bool is_domain_char(char c) {
  return ascii::is_alnum(c) || c == '-' || c == '.';
}

bool is_label(std::string_view label) {
  return !label.empty() && label.size() <= domain_label_octets_max &&
         ascii::is_alnum(label.front()) && ascii::is_alnum(label.back()) &&
         std::all_of(label.begin(), label.end(),
                     [](char c) { return ascii::is_alnum(c) || c == '-'; });
}

bool is_ipv4(std::string_view text) {
  for (std::size_t part = 0; part < ipv4_parts; ++part) {
    // Each part is one to three digits, at most 255, and all but the last end in a dot.
    const auto digits_end = std::find_if_not(text.begin(), text.end(), ascii::is_digit);
    const auto digits = static_cast<std::size_t>(digits_end - text.begin());
    if (digits == 0 || digits > ipv4_part_digits_max) {
      return false;
    }
    int value = 0;
    for (char c : text.substr(0, digits)) {
      constexpr int base = 10;
      value = value * base + (c - '0');
    }
    if (value > ipv4_part_max) {
      return false;
    }
    text.remove_prefix(digits);
    const bool last = part + 1 == ipv4_parts;
    if (!last && (text.empty() || text.front() != '.')) {
      return false;
    }
    if (!last) {
      text.remove_prefix(1);
    }
  }
  return text.empty();
}

// Counts the 16-bit groups written in a colon-separated run of IPv6 groups, the last of which
// may be an IPv4 address worth two groups. An empty run counts zero.
std::optional<std::size_t> count_ipv6_groups(std::string_view text, bool ipv4_allowed) {
  std::size_t groups = 0;
  while (!text.empty()) {
    const std::size_t colon = text.find(':');
    const std::string_view group = text.substr(0, colon);
    const bool last = colon == std::string_view::npos;
    if (last && ipv4_allowed && group.find('.') != std::string_view::npos) {
      return is_ipv4(group) ? std::optional(groups + ipv6_groups_in_ipv4) : std::nullopt;
    }
    if (group.empty() || group.size() > ipv6_group_digits_max ||
        !std::all_of(group.begin(), group.end(), ascii::is_hex_digit)) {
      return std::nullopt;
    }
    ++groups;
    if (last) {
      break;
    }
    text.remove_prefix(colon + 1);
    if (text.empty()) {
      return std::nullopt;
    }
  }
  return groups;
}

// RFC 5321 4.1.3 IPv6-addr: full, compressed with "::", or either ending in IPv4.
bool is_ipv6(std::string_view text) {
  const std::size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    return count_ipv6_groups(text, true) == ipv6_groups;
  }
  if (text.find("::", gap + 1) != std::string_view::npos) {
    return false;
  }
  const auto before = count_ipv6_groups(text.substr(0, gap), false);
  const auto after = count_ipv6_groups(text.substr(gap + 2), true);
  return before && after && *before + *after <= ipv6_groups_beside_gap_max;
}

// Reads the path grammar left to right; each step returns false where the text stops
// matching, with the cursor on the offending byte.
class PathReader {
 public:
  PathReader(std::string_view text, PathRole role) : text_(text), role_(role) {}

  bool read(Path& path) {
    if (!take('<')) {
      return false;
    }

    // RFC 5321 4.1.1.2: "<>" is the null reverse-path, allowed in MAIL FROM only.
    if (peek() == '>') {
      advance();
      path.null = true;
      return role_ == PathRole::reverse;
    }

    // An obsolete source route, "@a,@b:", ahead of the mailbox.
    if (peek() == '@' && !read_source_route(path.source_route)) {
      return false;
    }
    if (!read_local_part(path.mailbox)) {
      return false;
    }

    // RFC 5321 4.1.1.3: RCPT TO:<Postmaster> has no domain; the name is case-insensitive.
    const Mailbox& mailbox = path.mailbox;
    if (peek() == '>' && role_ == PathRole::forward && path.source_route.empty() &&
        !mailbox.local_part_quoted && ascii::iequals(mailbox.local_part, "postmaster")) {
      advance();
      return true;
    }
    return take('@') && read_domain_or_literal(path.mailbox) && take('>');
  }

  std::size_t position() const { return position_; }
  bool at_end() const { return position_ >= text_.size(); }
  char peek() const { return at_end() ? ascii::nul : text_[position_]; }

 private:
  void advance() { ++position_; }

  bool take(char c) {
    if (at_end() || peek() != c) {
      return false;
    }
    advance();
    return true;
  }

  std::string_view take_while(bool (*matches)(char)) {
    const std::size_t start = position_;
    while (!at_end() && matches(peek())) {
      advance();
    }
    return text_.substr(start, position_ - start);
  }

  // A-d-l ":" where A-d-l = "@" Domain *( "," "@" Domain ).
  bool read_source_route(std::vector<std::string>& route) {
    do {
      if (!take('@')) {
        return false;
      }
      const std::string_view domain = take_while(is_domain_char);
      if (!is_domain_name(domain)) {
        return false;
      }
      route.emplace_back(domain);
    } while (take(','));
    return take(':');
  }

  bool read_local_part(Mailbox& mailbox) {
    const std::size_t start = position_;
    mailbox.local_part_quoted = peek() == '"';
    const bool ok = mailbox.local_part_quoted ? read_quoted_string(mailbox.local_part_value)
                                              : read_dot_string(mailbox.local_part_value);
    mailbox.local_part = text_.substr(start, position_ - start);
    return ok;
  }

  // Dot-string = Atom *("." Atom): no leading, trailing or doubled dots.
  bool read_dot_string(std::string& value) {
    const std::size_t start = position_;
    do {
      if (take_while(is_atext).empty()) {
        return false;
      }
    } while (take('.'));
    value = text_.substr(start, position_ - start);
    return true;
  }

  // Quoted-string = DQUOTE *QcontentSMTP DQUOTE, keeping the content without its escapes.
  bool read_quoted_string(std::string& value) {
    advance();
    while (!at_end()) {
      const char c = peek();
      if (c == '"') {
        advance();
        return true;
      }
      if (c == '\\') {
        advance();
        if (at_end() || !is_quotable(peek())) {
          return false;
        }
      } else if (!is_qtext(c)) {
        return false;
      }
      value += peek();
      advance();
    }
    return false;
  }

  bool read_domain_or_literal(Mailbox& mailbox) {
    // An address literal runs from "[" to the first "]".
    if (peek() == '[') {
      const std::size_t close = text_.find(']', position_);
      if (close == std::string_view::npos) {
        return false;
      }
      const std::string_view literal = text_.substr(position_, close + 1 - position_);
      if (!is_address_literal(literal)) {
        return false;
      }
      position_ = close + 1;
      mailbox.domain = literal;
      mailbox.domain_is_literal = true;
      return true;
    }
    const std::string_view domain = take_while(is_domain_char);
    mailbox.domain = domain;
    return is_domain_name(domain);
  }

  std::string_view text_;
  PathRole role_;
  std::size_t position_ = 0;
};

bool within_lengths(const Path& path, std::size_t path_octets) {
  const Mailbox& mailbox = path.mailbox;
  return path_octets <= path_octets_max && mailbox.local_part.size() <= local_part_octets_max &&
         mailbox.domain.size() <= domain_octets_max &&
         std::all_of(path.source_route.begin(), path.source_route.end(),
                     [](const std::string& domain) { return domain.size() <= domain_octets_max; });
}

}  // namespace

std::string Mailbox::address() const {
  if (domain.empty()) {
    return local_part;
  }
  return local_part + "@" + domain;
}

bool is_domain_name(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  while (true) {
    const std::size_t dot = text.find('.');
    if (!is_label(text.substr(0, dot))) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    text.remove_prefix(dot + 1);
  }
}

bool is_address_literal(std::string_view text) {
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') {
    return false;
  }
  const std::string_view inner = text.substr(1, text.size() - 2);
  if (ascii::istarts_with(inner, ipv6_tag) && inner.substr(ipv6_tag.size()).starts_with(':')) {
    return is_ipv6(inner.substr(ipv6_tag.size() + 1));
  }
  // RFC 5321 4.1.3 also defines general literals, "tag:content", for tags registered by
  // standards-track RFCs. None is registered besides IPv6, so any other tag is refused.
  return is_ipv4(inner);
}

PathParse parse_path(std::string_view text, PathRole role) {
  PathParse parse;
  PathReader reader(text, role);

  // Syntax first; where it fails, an 8-bit byte makes it a non-ASCII address instead.
  if (!reader.read(parse.path)) {
    parse.path = Path{};
    parse.fault = ascii::is_eight_bit(reader.peek()) ? PathFault::non_ascii : PathFault::syntax;
    return parse;
  }
  parse.consumed_octets = reader.position();

  // Then the RFC 5321 4.5.3.1 lengths, on the wire form.
  if (!within_lengths(parse.path, parse.consumed_octets)) {
    parse.path = Path{};
    parse.fault = PathFault::too_long;
  }
  return parse;
}

}  // namespace gateway::smtp
