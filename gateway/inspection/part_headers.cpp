#include "gateway/inspection/part_headers.hpp"

#include <algorithm>
#include <optional>

#include "gateway/inspection/gmime_glue.hpp"

namespace gateway::inspection {
namespace {

// The encoding a Content-Transfer-Encoding value names, or nullopt when it is unknown.
std::optional<TransferEncoding> encoding_named(std::string_view value) {
  std::string name = to_lower(value.substr(0, value.find('(')));
  name.erase(std::remove_if(name.begin(), name.end(),
                            [](char c) { return c == ' ' || c == '\t' || c == '"'; }),
             name.end());
  if (name == "7bit" || name == "8bit" || name == "binary") {
    return TransferEncoding::identity;
  }
  if (name == "base64") {
    return TransferEncoding::base64;
  }
  if (name == "quoted-printable") {
    return TransferEncoding::quoted_printable;
  }
  if (name == "x-uuencode" || name == "x-uue" || name == "uuencode" || name == "uue") {
    return TransferEncoding::uuencode;
  }
  return std::nullopt;
}

void add_name(std::vector<std::string>& names, std::string name) {
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
    names.push_back(std::move(name));
  }
}

// Names a parameter repeats within one field: GMime keeps one; the others are kept too.
void add_repeated(std::vector<std::string>& names, const ParameterList& list,
                  std::string_view parameter) {
  const auto values = list.values(parameter);
  if (values.size() > 1) {
    for (const auto& value : values) {
      add_name(names, decode_header_text(value));
    }
  }
}

void read_content_types(const HeaderBlock& block, PartHeaders& headers,
                        std::vector<std::string>& type_names) {
  const auto fields = block.all("Content-Type");
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const ContentTypeReading reading = read_content_type(fields[i]->value);
    const ParameterList raw = parse_parameters(fields[i]->value);
    const auto boundaries = raw.values("boundary");
    if (std::adjacent_find(boundaries.begin(), boundaries.end(), std::not_equal_to<>()) !=
        boundaries.end()) {
      headers.ambiguity = "boundary parameter repeated with different values";
    }
    if (i == 0) {
      headers.media_type = reading.media_type;
      headers.boundary = reading.boundary;
    } else if (reading.media_type != headers.media_type || reading.boundary != headers.boundary) {
      headers.ambiguity = "Content-Type repeated with different values";
    }
    add_name(type_names, reading.name);
    add_repeated(type_names, raw, "name");
  }
}

void read_encodings(const HeaderBlock& block, PartHeaders& headers) {
  const auto fields = block.all("Content-Transfer-Encoding");
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto encoding = encoding_named(fields[i]->value);
    if (!encoding) {
      headers.ambiguity = "unknown Content-Transfer-Encoding";
      return;
    }
    if (i == 0) {
      headers.encoding = *encoding;
    } else if (*encoding != headers.encoding) {
      headers.ambiguity = "Content-Transfer-Encoding repeated with different values";
      return;
    }
  }
}

}  // namespace

PartHeaders read_part_headers(const HeaderBlock& block) {
  PartHeaders headers;
  headers.has_fields = !block.fields.empty();
  if (!block.malformed.empty()) {
    headers.ambiguity = block.malformed;
  }

  std::vector<std::string> type_names;
  read_content_types(block, headers, type_names);
  read_encodings(block, headers);

  for (const HeaderField* field : block.all("Content-Disposition")) {
    const DispositionReading reading = read_disposition(field->value);
    headers.attachment = headers.attachment || reading.disposition == "attachment";
    add_name(headers.names, reading.filename);
    add_repeated(headers.names, parse_parameters(field->value), "filename");
  }
  for (auto& name : type_names) {
    add_name(headers.names, std::move(name));
  }

  if (headers.multipart() && headers.boundary.empty() && headers.ambiguity.empty()) {
    headers.ambiguity = "multipart without a boundary";
  }
  return headers;
}

}  // namespace gateway::inspection
