// The emulation protocol's messages (the TE-API shape in DESIGN.md): the JSON request for a
// query or an upload, the multipart body of an upload, and the answer as the client reads
// it. Pure functions; the exchange itself is te_client's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gateway::emulation {

// The API's status codes, all eleven.
enum class TeStatus : int {
  found = 1001,
  upload_success = 1002,
  pending = 1003,
  not_found = 1004,
  no_quota = 1005,
  partially_found = 1006,
  file_type_not_supported = 1007,
  bad_request = 1008,
  internal_error = 1009,
  forbidden = 1010,
  not_enough_resources = 1011,
};

enum class TeVerdict { benign, malicious, unknown };

struct TeAnswer {
  TeStatus status = TeStatus::internal_error;
  std::string sha256;
  std::optional<TeVerdict> verdict;  // present when the answer carried te.combined_verdict
};

// The API paths, appended to emulation.url.
inline constexpr std::string_view query_path = "/tecloud/api/v1/file/query";
inline constexpr std::string_view upload_path = "/tecloud/api/v1/file/upload";

// {"request": {"sha256": ..., "file_name": ..., "features": ["te"]}}
std::string request_json(std::string_view sha256, std::string_view file_name);

// Reads an answer body. Nothing when it is not JSON of the documented shape, or its status
// code is not one of the eleven (a malformed answer is an error for the gateway).
std::optional<TeAnswer> parse_answer(std::string_view body);

// The parts of a multipart/form-data upload around the file's bytes: `head` holds the
// request part and the file part's headers, `tail` the closing boundary. The boundary is
// the caller's (seeded randomness keeps simulated runs deterministic); it must not occur
// in the file, which a long random boundary makes as good as certain.
struct UploadFraming {
  std::string content_type;  // multipart/form-data; boundary=...
  std::string head;
  std::string tail;
};
UploadFraming upload_framing(std::string_view boundary, std::string_view sha256,
                             std::string_view file_name);

}  // namespace gateway::emulation
