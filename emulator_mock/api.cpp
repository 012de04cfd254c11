// Routing a request to its answer, and the faults that replace or reshape answers.
#include <string>

#include "emulator_mock/api_json.hpp"
#include "emulator_mock/behaviour_parser.hpp"
#include "emulator_mock/emulator.hpp"
#include "emulator_mock/service.hpp"

namespace emulator_mock {
namespace {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

Reply text_reply(int status, std::string body) {
  return Reply{.http_status = status, .content_type = "text/plain", .body = std::move(body)};
}

// A body that starts like an answer and stops in the middle of it.
constexpr std::string_view malformed_body = R"({"response": {"status": {"code": 10)";

}  // namespace

std::string reply_head(const Reply& reply, bool keep_alive) {
  std::string head = "HTTP/1.1 " + std::to_string(reply.http_status) + " ";
  head += reason_phrase(reply.http_status);
  head += "\r\nServer: mta-emulator-mock\r\nContent-Type: " + reply.content_type;
  head += "\r\nContent-Length: " + std::to_string(reply.body.size());
  head += keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  return head;
}

Reply Service::handle(const HttpRequest& request) {
  const std::string_view target = std::string_view(request.target).substr(
      0, request.target.find('?'));
  if (target.starts_with("/control/")) {
    return control(request);
  }
  const bool is_query = target == query_path;
  if (!is_query && target != upload_path) {
    return text_reply(404, "no such path\n");
  }
  if (request.method != "POST") {
    return text_reply(405, "POST only\n");
  }
  ++(is_query ? counters_.queries : counters_.uploads);

  // A service-wide fault that replaces the answer leaves no trace of the request: the
  // upload is not recorded. A slow body delivers the genuine answer, slowly.
  const Fault* fault = pick_fault(is_query, nullptr);
  if (fault != nullptr && fault->kind != FaultKind::slow_body) {
    return apply_fault(*fault, Reply{}, is_query);
  }
  answered_rule_.reset();
  Reply genuine = is_query ? query(request) : upload(request);

  // A rule's fault concerns the answers about that rule's files.
  if (fault == nullptr && answered_rule_ && *answered_rule_ < behaviour_.rules.size()) {
    const auto& rule_fault = behaviour_.rules[*answered_rule_].fault;
    fault = rule_fault ? pick_fault(is_query, &*rule_fault) : nullptr;
  }
  if (fault != nullptr) {
    return apply_fault(*fault, std::move(genuine), is_query);
  }
  if (genuine.code) {
    ++counters_.answers[static_cast<int>(*genuine.code)];
    counters_.bad_requests += *genuine.code == StatusCode::bad_request ? 1 : 0;
  }
  return genuine;
}

Reply Service::api_reply(StatusCode code, std::string_view sha256, std::string_view file_name,
                         std::optional<Verdict> verdict) {
  Reply reply;
  reply.code = code;
  reply.body = render_answer(code, sha256, file_name, verdict);
  return reply;
}

const Fault* Service::pick_fault(bool is_query, const Fault* rule_fault) {
  auto fires = [&](const Fault& fault) {
    if (fault.kind == FaultKind::refuse || !(is_query ? fault.on_query : fault.on_upload) ||
        !fault.active_at(elapsed())) {
      return false;
    }
    // Certain faults draw nothing, so adding one does not shift later delays.
    return fault.probability >= 1.0 || random_.chance(fault.probability);
  };
  if (rule_fault != nullptr) {
    return fires(*rule_fault) ? rule_fault : nullptr;
  }
  for (const Fault& fault : behaviour_.faults) {
    if (fires(fault)) {
      return &fault;
    }
  }
  return nullptr;
}

Reply Service::apply_fault(const Fault& fault, Reply genuine, bool is_query) {
  ++counters_.faults_injected;
  ++counters_.faults_by_kind[std::string(fault_kind_name(fault.kind))];
  host_.events().record("emulator.fault", {{"kind", fault_kind_name(fault.kind)},
                                           {"request", is_query ? "query" : "upload"}});
  if (genuine.body.empty()) {
    genuine = api_reply(StatusCode::internal_error, "", "");
  }
  switch (fault.kind) {
    case FaultKind::http_500:
      return text_reply(500, "internal server error\n");
    case FaultKind::http_503:
      return text_reply(503, "service unavailable\n");
    case FaultKind::status: {
      Reply reply = api_reply(fault.code, "", "");
      ++counters_.answers[static_cast<int>(fault.code)];
      return reply;
    }
    case FaultKind::hang:
      return Reply{.delivery = Reply::Delivery::hang, .hang_for = fault.hang_for};
    case FaultKind::reset:
      genuine.delivery = Reply::Delivery::truncate;
      return genuine;
    case FaultKind::malformed_json:
      return Reply{.body = std::string(malformed_body)};
    case FaultKind::slow_body:
      genuine.delivery = Reply::Delivery::trickle;
      genuine.chunk_bytes = fault.chunk_bytes;
      genuine.interval = fault.interval;
      if (genuine.code) {
        ++counters_.answers[static_cast<int>(*genuine.code)];
      }
      return genuine;
    case FaultKind::refuse:
      break;
  }
  return text_reply(500, "internal server error\n");
}

Reply Service::control(const HttpRequest& request) {
  const std::string_view target = std::string_view(request.target).substr(
      0, request.target.find('?'));
  if (target == counters_path) {
    if (request.method != "GET") {
      return text_reply(405, "GET only\n");
    }
    return Reply{.body = render_counters(counters())};
  }
  if (target == behaviour_path) {
    if (request.method != "PUT") {
      return text_reply(405, "PUT only\n");
    }
    auto parsed = parse_behaviour(request.body, "behaviour");
    if (!parsed) {
      return text_reply(400, parsed.error_text());
    }
    set_behaviour(std::move(*parsed.behaviour));
    return text_reply(200, "behaviour replaced\n");
  }
  if (target == reset_path) {
    if (request.method != "POST") {
      return text_reply(405, "POST only\n");
    }
    reset();
    return text_reply(200, "reset\n");
  }
  return text_reply(404, "no such control path\n");
}

}  // namespace emulator_mock
