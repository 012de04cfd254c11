#include "emulator_mock/api_json.hpp"

#include <algorithm>

#include <boost/json.hpp>

namespace emulator_mock {
namespace {

namespace json = boost::json;

bool is_hex_digest(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

json::object status_object(StatusCode code) {
  json::object status;
  status["code"] = static_cast<int>(code);
  status["label"] = status_label(code);
  return status;
}

}  // namespace

std::optional<ApiRequest> parse_api_request(std::string_view text, bool sha256_required) {
  if (text.size() > max_request_json_bytes) {
    return std::nullopt;
  }
  // Bounded nesting: a request is two objects deep, so a deep document is hostile.
  json::parse_options options;
  options.max_depth = 8;
  boost::system::error_code ec;
  const json::value document = json::parse(text, ec, {}, options);
  if (ec || !document.is_object()) {
    return std::nullopt;
  }
  const json::value* request = document.as_object().if_contains("request");
  if (request == nullptr || !request->is_object()) {
    return std::nullopt;
  }
  const json::object& fields = request->as_object();
  ApiRequest parsed;

  if (const json::value* sha = fields.if_contains("sha256")) {
    if (!sha->is_string() || !is_hex_digest(sha->as_string())) {
      return std::nullopt;
    }
    parsed.sha256 = lower(sha->as_string());
  } else if (sha256_required) {
    return std::nullopt;
  }
  if (const json::value* name = fields.if_contains("file_name")) {
    if (!name->is_string()) {
      return std::nullopt;
    }
    parsed.file_name = std::string(name->as_string());
  }
  if (const json::value* features = fields.if_contains("features")) {
    if (!features->is_array()) {
      return std::nullopt;
    }
    const auto& list = features->as_array();
    const bool has_te = std::any_of(list.begin(), list.end(), [](const json::value& item) {
      return item.is_string() && item.as_string() == "te";
    });
    if (!has_te) {
      return std::nullopt;
    }
  }
  return parsed;
}

std::string render_answer(StatusCode code, std::string_view sha256, std::string_view file_name,
                          std::optional<Verdict> verdict) {
  json::object te;
  te["combined_verdict"] =
      verdict_name(code == StatusCode::found ? verdict.value_or(Verdict::unknown)
                                             : Verdict::unknown);
  te["status"] = status_object(code);
  json::object response;
  response["status"] = status_object(code);
  response["sha256"] = sha256;
  if (!file_name.empty()) {
    response["file_name"] = file_name;
  }
  response["te"] = std::move(te);
  json::object document;
  document["response"] = std::move(response);
  return json::serialize(document);
}

std::string render_counters(const Counters& counters) {
  json::object verdicts;
  verdicts["benign"] = counters.verdicts_benign;
  verdicts["malicious"] = counters.verdicts_malicious;
  verdicts["unknown"] = counters.verdicts_unknown;
  json::object faults;
  for (const auto& [kind, count] : counters.faults_by_kind) {
    faults[kind] = count;
  }
  json::object answers;
  for (const auto& [code, count] : counters.answers) {
    answers[std::to_string(code)] = count;
  }
  json::object document;
  document["connections"] = counters.connections;
  document["queries"] = counters.queries;
  document["uploads"] = counters.uploads;
  document["files_seen"] = counters.files_seen;
  document["verdicts"] = std::move(verdicts);
  document["bad_requests"] = counters.bad_requests;
  document["faults_injected"] = counters.faults_injected;
  document["faults"] = std::move(faults);
  document["answers"] = std::move(answers);
  document["emulations_running"] = counters.emulations_running;
  document["emulations_waiting"] = counters.emulations_waiting;
  return json::serialize(document);
}

}  // namespace emulator_mock
