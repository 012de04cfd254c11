#include "gateway/queue/control_request.hpp"

#include <cerrno>

#include "gateway/spool/record_codec.hpp"
#include "gateway/spool/spool.hpp"
#include "runtime/host.hpp"

namespace gateway {
namespace {

constexpr std::string_view format_version = "mta-control/1";
constexpr std::size_t random_part_length = 8;
// Two requests in one microsecond with the same random part twice in a row means the
// generator is broken.
constexpr int name_draws_max = 8;

std::optional<ControlVerb> parse_control_verb(std::string_view name) {
  for (auto verb : {ControlVerb::flush, ControlVerb::remove, ControlVerb::release}) {
    if (control_verb_name(verb) == name) {
      return verb;
    }
  }
  return std::nullopt;
}

std::string request_name(runtime::WallTime now, runtime::Random& names) {
  const std::string micros = std::to_string(to_unix_us(now));
  std::string name(micros.size() < 20 ? 20 - micros.size() : 0, '0');
  name += micros;
  name += '.';
  name += names.alphanumeric(random_part_length);
  return name;
}

}  // namespace

std::string_view control_verb_name(ControlVerb verb) {
  switch (verb) {
    case ControlVerb::flush: return "flush";
    case ControlVerb::remove: return "delete";
    case ControlVerb::release: return "release";
  }
  return "flush";
}

std::string encode_control_request(const ControlRequest& request) {
  RecordWriter writer;
  writer.add("format", format_version);
  writer.add("verb", control_verb_name(request.verb));
  writer.add("queue_id", request.queue_id ? request.queue_id->text() : std::string());
  return std::move(writer).finish();
}

runtime::Result<ControlRequest> decode_control_request(std::string_view text) {
  auto parsed = RecordReader::parse(text);
  if (!parsed) {
    return parsed.error();
  }
  const bool known_format = parsed->text("format") == format_version;
  const auto verb = parse_control_verb(parsed->text("verb"));
  const std::string id_text = parsed->text("queue_id");
  const auto id = QueueId::parse(id_text);
  if (parsed->finish() || !known_format || !verb) {
    return runtime::Error::corrupt_record;
  }

  // Flush names no message; the others name exactly one.
  const bool wants_id = *verb != ControlVerb::flush;
  if (wants_id ? !id : !id_text.empty()) {
    return runtime::Error::corrupt_record;
  }
  return ControlRequest{*verb, id};
}

runtime::error_code submit_control_request(Spool& spool, runtime::Random& names,
                                           const ControlRequest& request) {
  const std::string text = encode_control_request(request);
  for (int draw = 0; draw < name_draws_max; ++draw) {
    const std::string name = request_name(spool.host().clock().wall_now(), names);
    if (spool.storage().exists(runtime::join_path(spool.control_folder(), name))) {
      continue;
    }
    return runtime::write_file_durably(spool.storage(), spool.control_folder(), name, text);
  }
  return runtime::error_code(EEXIST, boost::system::system_category());
}

runtime::Result<std::vector<std::string>> pending_control_requests(Spool& spool) {
  auto names = spool.storage().list(spool.control_folder());
  if (!names) {
    return names.error();
  }
  // Temporary files of a request being written are not requests yet.
  std::erase_if(*names, [](const std::string& name) { return name.starts_with("."); });
  return std::move(*names);
}

runtime::Result<ControlRequest> read_control_request(Spool& spool, const std::string& name) {
  auto text = runtime::read_file(spool.storage(), runtime::join_path(spool.control_folder(), name));
  if (!text) {
    return text.error();
  }
  return decode_control_request(*text);
}

}  // namespace gateway
