// Walks a message's structure and lists its files. Structure is read twice: once by GMime
// (over a stream on the source, keeping offsets) and once by scanning for delimiter lines
// here; when the two disagree on a multipart's parts, the multipart cannot be read
// unambiguously and becomes one unscannable file. Header fields are read raw as well, to
// see the repetitions a single reading hides (see part_headers.hpp for each decision).
//
// | structure                                    | reading                                  |
// | -------------------------------------------- | ---------------------------------------- |
// | leaf with a file name, or disposition        | a file                                   |
// | attachment, or a type other than text/plain  |                                          |
// | and text/html, or x-uuencode encoded         |                                          |
// | part without any header field                | a file: nothing declares it text, and    |
// |                                              | readers may sniff its content            |
// | uuencoded or begin-base64 block in text      | a file; replacing it replaces the text   |
// | message/rfc822 (or message/global)           | descended into; its files count          |
// | the same, base64 or quoted-printable encoded | decoded (bounded) and parsed again;      |
// |                                              | replacing any file in it replaces the    |
// |                                              | whole message part                       |
// | missing close delimiter                      | the last part runs to the end            |
// | delimiter-like line with trailing junk       | unparseable (some readers split there)   |
// | structure-like lines in preamble or epilogue | that text is an unscannable file         |
// | multipart with no parts, encoded multipart   | unparseable                              |
// | GMime and the delimiter scan disagree        | unparseable                              |
// | base64 characters outside the alphabet       | ignored (RFC 2045 6.8), file scanned     |
// | base64 data after '=' padding                | unparseable (readers stop or go on)      |
// | deeper than nesting_depth_max, more parts    | unparseable                              |
// | than part_count_max                          |                                          |
// | top-level non-multipart attachment           | the message body is the file             |
#include <optional>

#include "gateway/inspection/embedded_blocks.hpp"
#include "gateway/inspection/extraction_stream.hpp"
#include "gateway/inspection/gmime_glue.hpp"
#include "gateway/inspection/header_block.hpp"
#include "gateway/inspection/message_analysis.hpp"
#include "gateway/inspection/multipart_layout.hpp"
#include "gateway/inspection/part_headers.hpp"
#include "gateway/inspection/sha256.hpp"

namespace gateway::inspection {
namespace {

std::string join_path(const std::string& prefix, std::size_t number) {
  return prefix.empty() ? std::to_string(number) : prefix + "." + std::to_string(number);
}

// One message being walked: the original, or a nested message that had to be decoded.
struct Layer {
  ContentSource& source;
  std::vector<Extraction> outer;       // steps from the original to this layer's bytes
  std::optional<ByteRange> enclosing;  // the encoded message part holding this layer
};

// Where an entity sits in the walk.
struct Entity {
  ByteRange range;           // headers and body
  MimeNode node;             // GMime's reading of the same entity
  std::string path;          // its own part path
  std::string child_prefix;  // what its children's paths start with
  int depth = 1;
  Placement placement = Placement::part;
};

class Analyser {
 public:
  Analyser(const AnalysisLimits& limits, MessageAnalysis& result)
      : limits_(limits), result_(result) {}

  runtime::Result<void> walk(const Layer& layer, const Entity& entity);

 private:
  runtime::Result<void> walk_multipart(const Layer& layer, const Entity& entity,
                                       const PartHeaders& headers, ByteRange body);
  runtime::Result<void> walk_message(const Layer& layer, const Entity& entity,
                                     const PartHeaders& headers, ByteRange body);
  runtime::Result<void> walk_text(const Layer& layer, const Entity& entity,
                                  const PartHeaders& headers, ByteRange body);

  // Adds a file whose bytes `steps` lead to from the layer's bytes.
  runtime::Result<void> add_file(const Layer& layer, const Entity& entity, File file,
                                 std::vector<Extraction> steps);
  // Adds the whole of `range` as a file that cannot be read unambiguously.
  runtime::Result<void> add_unscannable(const Layer& layer, const Entity& entity, ByteRange range,
                                        std::string detail);

  const AnalysisLimits& limits_;
  MessageAnalysis& result_;
  int part_count_ = 0;
};

runtime::Result<void> Analyser::walk(const Layer& layer, const Entity& entity) {
  ++part_count_;
  if (entity.depth > limits_.nesting_depth_max) {
    return add_unscannable(layer, entity, entity.range, "nested deeper than its limit");
  }

  auto block = read_header_block(layer.source, entity.range, limits_.header_size_bytes_max);
  if (!block) {
    return block.error();
  }
  const PartHeaders headers = read_part_headers(*block);
  if (!headers.ambiguity.empty()) {
    return add_unscannable(layer, entity, entity.range, headers.ambiguity);
  }
  const ByteRange body{block->body_begin, entity.range.end};

  if (headers.multipart()) {
    return walk_multipart(layer, entity, headers, body);
  }
  if (headers.encapsulated_message()) {
    return walk_message(layer, entity, headers, body);
  }

  const bool text = headers.media_type == "text/plain" || headers.media_type == "text/html";
  const bool headerless = !headers.has_fields && entity.placement == Placement::part;
  if (!text || headers.attachment || !headers.names.empty() || headerless ||
      headers.encoding == TransferEncoding::uuencode) {
    File file;
    file.file_name = headers.names.empty() ? "part-" + entity.path : headers.names.front();
    file.other_names.assign(headers.names.begin() + (headers.names.empty() ? 0 : 1),
                            headers.names.end());
    file.content_type = headers.media_type;
    return add_file(layer, entity, std::move(file), {{body, headers.encoding}});
  }
  return walk_text(layer, entity, headers, body);
}

runtime::Result<void> Analyser::walk_multipart(const Layer& layer, const Entity& entity,
                                               const PartHeaders& headers, ByteRange body) {
  if (headers.encoding != TransferEncoding::identity) {
    return add_unscannable(layer, entity, entity.range, "encoded multipart");
  }
  auto layout = scan_multipart(layer.source, body, headers.boundary);
  if (!layout) {
    return layout.error();
  }
  if (layout->parts.empty()) {
    return add_unscannable(layer, entity, entity.range, "multipart without parts");
  }
  if (layout->near_delimiter) {
    return add_unscannable(layer, entity, entity.range, "line resembling a delimiter");
  }
  if (entity.node.kind() != MimeNodeKind::multipart ||
      static_cast<std::size_t>(entity.node.child_count()) != layout->parts.size()) {
    return add_unscannable(layer, entity, entity.range, "readers disagree on the parts");
  }

  // Text around the parts is hidden by readers; structure in it may be a smuggled part.
  Entity loose = entity;
  loose.placement = Placement::loose_text;
  if (layout->preamble_suspicious) {
    loose.path = entity.path + ".preamble";
    if (auto added = add_unscannable(layer, loose, layout->preamble, "structure in preamble");
        !added) {
      return added;
    }
  }

  for (std::size_t i = 0; i < layout->parts.size(); ++i) {
    if (part_count_ >= limits_.part_count_max) {
      Entity rest = entity;
      rest.path = join_path(entity.child_prefix, i + 1);
      return add_unscannable(layer, rest, {layout->parts[i].begin, layout->parts.back().end},
                             "more parts than its limit");
    }
    Entity child;
    child.range = layout->parts[i];
    child.node = entity.node.child(static_cast<int>(i));
    child.path = join_path(entity.child_prefix, i + 1);
    child.child_prefix = child.path;
    child.depth = entity.depth + 1;
    if (auto walked = walk(layer, child); !walked) {
      return walked;
    }
  }

  if (layout->epilogue_suspicious) {
    loose.path = entity.path + ".epilogue";
    return add_unscannable(layer, loose, layout->epilogue, "structure in epilogue");
  }
  return {};
}

runtime::Result<void> Analyser::walk_message(const Layer& layer, const Entity& entity,
                                             const PartHeaders& headers, ByteRange body) {
  // The nested message's own top entity: a leaf is numbered path.1, a multipart's parts
  // path.1, path.2 (RFC 3501 6.4.5).
  Entity nested;
  nested.range = body;
  nested.path = entity.path + ".1";
  nested.child_prefix = entity.path;
  nested.depth = entity.depth + 1;

  if (headers.encoding == TransferEncoding::identity) {
    if (entity.node.kind() != MimeNodeKind::message) {
      return add_unscannable(layer, entity, entity.range, "readers disagree on the message");
    }
    nested.node = entity.node.nested();
    return walk(layer, nested);
  }

  // RFC 2046 5.2.1 forbids encoding a message/rfc822 body, but readers decode it anyway:
  // decode it (bounded) and read the result as a message of its own.
  // TODO: a file inside an encoded nested message is replaced by replacing the whole
  // message part, so its benign text and other files are lost with it; rewriting inside
  // would need re-encoding the nested message.
  auto decoded = decode_to_string(layer.source, {body, headers.encoding},
                                  limits_.decoded_layer_size_bytes_max);
  if (!decoded) {
    if (decoded.error() == boost::system::errc::value_too_large) {
      return add_unscannable(layer, entity, entity.range, "encoded message too large");
    }
    return decoded.error();
  }
  StringContentSource inner_source(std::move(*decoded));
  auto parsed = ParsedMessage::parse(inner_source);
  if (!parsed) {
    return parsed.error();
  }
  Layer inner{inner_source, layer.outer, layer.enclosing};
  inner.outer.push_back({body, headers.encoding});
  if (!inner.enclosing) {
    inner.enclosing = entity.range;
  }
  nested.range = {0, inner_source.size()};
  nested.node = parsed->top();
  return walk(inner, nested);
}

runtime::Result<void> Analyser::walk_text(const Layer& layer, const Entity& entity,
                                          const PartHeaders& headers, ByteRange body) {
  // Search the decoded text; an encoded body is decoded into memory first (bounded).
  std::optional<StringContentSource> decoded_text;
  ContentSource* text_source = &layer.source;
  ByteRange text_range = body;
  if (headers.encoding != TransferEncoding::identity) {
    auto decoded = decode_to_string(layer.source, {body, headers.encoding},
                                    limits_.decoded_layer_size_bytes_max);
    if (!decoded) {
      if (decoded.error() == boost::system::errc::value_too_large) {
        return add_unscannable(layer, entity, entity.range, "encoded text too large");
      }
      return decoded.error();
    }
    decoded_text.emplace(std::move(*decoded));
    text_source = &*decoded_text;
    text_range = {0, decoded_text->size()};
  }

  // TODO: only uuencode and begin-base64 blocks are looked for in text; yEnc and BinHex
  // blocks in a text body, and text in UTF-16 or UTF-32, pass as plain text unsearched.
  auto blocks = find_embedded_blocks(*text_source, text_range);
  if (!blocks) {
    return blocks.error();
  }
  for (const auto& block : *blocks) {
    File file;
    file.file_name = block.file_name;
    file.content_type = "application/octet-stream";
    std::vector<Extraction> steps;
    if (decoded_text) {
      steps.push_back({body, headers.encoding});
    }
    steps.push_back({block.range, block.encoding});
    if (auto added = add_file(layer, entity, std::move(file), std::move(steps)); !added) {
      return added;
    }
  }
  return {};
}

runtime::Result<void> Analyser::add_file(const Layer& layer, const Entity& entity, File file,
                                         std::vector<Extraction> steps) {
  file.part_path = entity.path;
  file.part_range = layer.enclosing ? *layer.enclosing : entity.range;
  file.placement = layer.enclosing ? Placement::part : entity.placement;

  // Hash the decoded bytes as the upload will stream them.
  Sha256 hash;
  std::uint64_t size = 0;
  auto report = stream_extraction(
      layer.source, steps,
      [&](std::string_view chunk) -> runtime::Result<void> {
        hash.update(chunk);
        size += chunk.size();
        return {};
      },
      limits_.decoded_layer_size_bytes_max);
  if (!report) {
    if (report.error() != boost::system::errc::value_too_large) {
      return report.error();
    }
    file.scannability = Scannability::unparseable;
    file.unscannable_detail = "decoded layer too large";
  } else if (report->data_after_padding) {
    file.scannability = Scannability::unparseable;
    file.unscannable_detail = "base64 data after padding";
  }
  file.size_bytes = size;
  file.sha256 = hash.finish_hex();
  file.extraction = layer.outer;
  file.extraction.insert(file.extraction.end(), steps.begin(), steps.end());
  result_.files.push_back(std::move(file));
  return {};
}

runtime::Result<void> Analyser::add_unscannable(const Layer& layer, const Entity& entity,
                                                ByteRange range, std::string detail) {
  File file;
  file.file_name = (entity.placement == Placement::loose_text ? "text-" : "part-") + entity.path;
  file.content_type = "application/octet-stream";
  Entity whole = entity;
  whole.range = range;
  if (auto done = add_file(layer, whole, std::move(file), {{range, TransferEncoding::identity}});
      !done) {
    return done;
  }
  // Its raw bytes are still hashed and streamable, should the caller want them judged too.
  File& added = result_.files.back();
  added.scannability = Scannability::unparseable;
  added.unscannable_detail = std::move(detail);
  return {};
}

}  // namespace

runtime::Result<MessageAnalysis> analyse(ContentSource& message, const AnalysisLimits& limits) {
  auto parsed = ParsedMessage::parse(message);
  if (!parsed) {
    return parsed.error();
  }
  MessageAnalysis result;
  Analyser analyser(limits, result);
  Layer original{message, {}, std::nullopt};
  Entity top;
  top.range = {0, message.size()};
  top.node = parsed->top();
  top.path = "1";
  top.placement = Placement::message_body;
  if (auto walked = analyser.walk(original, top); !walked) {
    return walked.error();
  }
  return result;
}

}  // namespace gateway::inspection
