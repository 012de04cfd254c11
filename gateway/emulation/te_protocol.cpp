#include "gateway/emulation/te_protocol.hpp"

#include <boost/json.hpp>

namespace gateway::emulation {
namespace {

namespace json = boost::json;

bool known_status(std::int64_t code) {
  return code >= static_cast<int>(TeStatus::found) &&
         code <= static_cast<int>(TeStatus::not_enough_resources);
}

std::optional<TeVerdict> verdict_from(std::string_view text) {
  if (text == "benign") {
    return TeVerdict::benign;
  }
  if (text == "malicious") {
    return TeVerdict::malicious;
  }
  if (text == "unknown") {
    return TeVerdict::unknown;
  }
  return std::nullopt;
}

// A file name as it may stand in a quoted multipart parameter: quotes, backslashes and
// line breaks would end or bend the header, so they become underscores.
std::string quoted_parameter_safe(std::string_view name) {
  std::string safe(name);
  for (char& c : safe) {
    if (c == '"' || c == '\\' || c == '\r' || c == '\n') {
      c = '_';
    }
  }
  return safe;
}

}  // namespace

std::string request_json(std::string_view sha256, std::string_view file_name) {
  json::object request;
  request["sha256"] = sha256;
  request["file_name"] = file_name;
  request["features"] = json::array{"te"};
  json::object root;
  root["request"] = std::move(request);
  return json::serialize(root);
}

std::optional<TeAnswer> parse_answer(std::string_view body) {
  json::error_code ec;
  const json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) {
    return std::nullopt;
  }
  const json::value* response = root.as_object().if_contains("response");
  if (response == nullptr || !response->is_object()) {
    return std::nullopt;
  }
  const json::object& fields = response->as_object();

  // The status code is required and must be one of the eleven.
  const json::value* status = fields.if_contains("status");
  if (status == nullptr || !status->is_object()) {
    return std::nullopt;
  }
  const json::value* code = status->as_object().if_contains("code");
  if (code == nullptr || !code->is_int64() || !known_status(code->as_int64())) {
    return std::nullopt;
  }
  TeAnswer answer;
  answer.status = static_cast<TeStatus>(code->as_int64());

  if (const json::value* sha = fields.if_contains("sha256"); sha != nullptr && sha->is_string()) {
    answer.sha256 = std::string(sha->as_string());
  }

  // The verdict, when given, must be one of the three words.
  if (const json::value* te = fields.if_contains("te"); te != nullptr) {
    if (!te->is_object()) {
      return std::nullopt;
    }
    if (const json::value* combined = te->as_object().if_contains("combined_verdict")) {
      if (!combined->is_string()) {
        return std::nullopt;
      }
      answer.verdict = verdict_from(std::string_view(combined->as_string()));
      if (!answer.verdict) {
        return std::nullopt;
      }
    }
  }
  return answer;
}

UploadFraming upload_framing(std::string_view boundary, std::string_view sha256,
                             std::string_view file_name) {
  const std::string dash_boundary = "--" + std::string(boundary);
  UploadFraming framing;
  framing.content_type = "multipart/form-data; boundary=" + std::string(boundary);
  framing.head = dash_boundary + "\r\n" +
                 "Content-Disposition: form-data; name=\"request\"\r\n"
                 "Content-Type: application/json\r\n\r\n" +
                 request_json(sha256, file_name) + "\r\n" + dash_boundary + "\r\n" +
                 "Content-Disposition: form-data; name=\"file\"; filename=\"" +
                 quoted_parameter_safe(file_name) + "\"\r\n" +
                 "Content-Type: application/octet-stream\r\n\r\n";
  framing.tail = "\r\n" + dash_boundary + "--\r\n";
  return framing;
}

}  // namespace gateway::emulation
