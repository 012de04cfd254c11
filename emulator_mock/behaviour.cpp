#include "emulator_mock/behaviour.hpp"

#include <algorithm>

namespace emulator_mock {
namespace {

char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool matches(const Match& match, const FileFacts& facts) {
  if (match.eicar && !facts.has_eicar) {
    return false;
  }
  if (!match.sha256.empty() &&
      std::find(match.sha256.begin(), match.sha256.end(), facts.sha256) == match.sha256.end()) {
    return false;
  }
  auto name_matches = [&](const std::string& pattern) {
    return glob_match(pattern, facts.file_name);
  };
  if (!match.file_names.empty() &&
      std::none_of(match.file_names.begin(), match.file_names.end(), name_matches)) {
    return false;
  }
  return true;
}

}  // namespace

std::vector<Rule> Behaviour::default_rules() {
  return {Rule{.name = "eicar", .match = Match{.eicar = true}, .verdict = Verdict::malicious}};
}

std::optional<std::size_t> Behaviour::match(const FileFacts& facts) const {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (matches(rules[i].match, facts)) {
      return i;
    }
  }
  return std::nullopt;
}

bool Behaviour::needs_scan() const {
  return std::any_of(rules.begin(), rules.end(), [](const Rule& rule) { return rule.match.eicar; });
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matching with one backtrack point (the last `*`): linear in practice and
  // never recursive, so a hostile pattern or name cannot exhaust the stack.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || fold(pattern[p]) == fold(text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

}  // namespace emulator_mock
