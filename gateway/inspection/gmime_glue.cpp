// GMime is a C library built on GObject: its type macros expand to C-style casts, so this
// file (and only this file) silences -Wold-style-cast and -Wcast-align around them.
#include "gateway/inspection/gmime_glue.hpp"

#include <algorithm>
#include <mutex>
#include <span>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <gmime/gmime.h>

namespace gateway::inspection {
namespace {

void initialise_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// What every stream over one source shares: the source, and the first error it reported
// (GMime only sees -1 and stops reading; the error is handed back after the parse).
struct SourceLink {
  ContentSource* source = nullptr;
  runtime::error_code failure;
};

}  // namespace
}  // namespace gateway::inspection

// A seekable GMimeStream over a ContentSource. Substreams share the source and differ only
// in their bounds, which is what lets the parser keep part contents as offsets.
struct SourceStream {
  GMimeStream parent;
  gateway::inspection::SourceLink* link;
};
struct SourceStreamClass {
  GMimeStreamClass parent_class;
};

G_DEFINE_TYPE(SourceStream, source_stream, GMIME_TYPE_STREAM)

namespace {

SourceStream* as_source_stream(GMimeStream* stream) {
  return reinterpret_cast<SourceStream*>(stream);
}

gint64 stream_end(GMimeStream* stream) {
  const auto size = static_cast<gint64>(as_source_stream(stream)->link->source->size());
  return stream->bound_end != -1 ? std::min(stream->bound_end, size) : size;
}

ssize_t source_stream_read(GMimeStream* stream, char* buffer, size_t size) {
  const gint64 end = stream_end(stream);
  if (stream->position >= end) {
    return 0;
  }
  const auto wanted =
      static_cast<std::size_t>(std::min<gint64>(end - stream->position, static_cast<gint64>(size)));
  auto* link = as_source_stream(stream)->link;
  auto count = link->source->read_at(static_cast<std::uint64_t>(stream->position),
                                     std::span(buffer, wanted));
  if (!count) {
    if (!link->failure) {
      link->failure = count.error();
    }
    return -1;
  }
  stream->position += static_cast<gint64>(*count);
  return static_cast<ssize_t>(*count);
}

ssize_t source_stream_write(GMimeStream*, const char*, size_t) {
  return -1;
}
int source_stream_flush(GMimeStream*) {
  return 0;
}
int source_stream_close(GMimeStream*) {
  return 0;
}
gboolean source_stream_eos(GMimeStream* stream) {
  return stream->position >= stream_end(stream);
}

int source_stream_reset(GMimeStream* stream) {
  stream->position = stream->bound_start;
  return 0;
}

gint64 source_stream_seek(GMimeStream* stream, gint64 offset, GMimeSeekWhence whence) {
  gint64 target = stream->position;
  switch (whence) {
    case GMIME_STREAM_SEEK_SET:
      target = offset;
      break;
    case GMIME_STREAM_SEEK_CUR:
      target = stream->position + offset;
      break;
    case GMIME_STREAM_SEEK_END:
      target = stream_end(stream) + offset;
      break;
  }
  stream->position = std::clamp(target, stream->bound_start, stream_end(stream));
  return stream->position;
}

gint64 source_stream_tell(GMimeStream* stream) {
  return stream->position;
}
gint64 source_stream_length(GMimeStream* stream) {
  return stream_end(stream) - stream->bound_start;
}

GMimeStream* new_source_stream(gateway::inspection::SourceLink* link, gint64 start, gint64 end) {
  auto* stream = static_cast<SourceStream*>(g_object_new(source_stream_get_type(), nullptr));
  stream->link = link;
  g_mime_stream_construct(GMIME_STREAM(stream), start, end);
  return GMIME_STREAM(stream);
}

GMimeStream* source_stream_substream(GMimeStream* stream, gint64 start, gint64 end) {
  return new_source_stream(as_source_stream(stream)->link, start, end);
}

}  // namespace

static void source_stream_init(SourceStream* stream) {
  stream->link = nullptr;
}

static void source_stream_class_init(SourceStreamClass* klass) {
  GMimeStreamClass* stream_class = GMIME_STREAM_CLASS(klass);
  stream_class->read = source_stream_read;
  stream_class->write = source_stream_write;
  stream_class->flush = source_stream_flush;
  stream_class->close = source_stream_close;
  stream_class->eos = source_stream_eos;
  stream_class->reset = source_stream_reset;
  stream_class->seek = source_stream_seek;
  stream_class->tell = source_stream_tell;
  stream_class->length = source_stream_length;
  stream_class->substream = source_stream_substream;
}

namespace gateway::inspection {
namespace {

GMimeObject* as_object(void* object) {
  return static_cast<GMimeObject*>(object);
}

// Takes a g_malloc'ed string.
std::string take_string(char* text) {
  std::string copy = text != nullptr ? text : "";
  g_free(text);
  return copy;
}

std::string lower_copy(const char* text) {
  std::string copy = text != nullptr ? text : "";
  for (char& c : copy) {
    c = static_cast<char>(g_ascii_tolower(c));
  }
  return copy;
}

}  // namespace

MimeNodeKind MimeNode::kind() const {
  GMimeObject* object = as_object(object_);
  if (object == nullptr) {
    return MimeNodeKind::missing;
  }
  if (GMIME_IS_MULTIPART(object)) {
    return MimeNodeKind::multipart;
  }
  if (GMIME_IS_MESSAGE_PART(object)) {
    return MimeNodeKind::message;
  }
  return MimeNodeKind::leaf;
}

int MimeNode::child_count() const {
  if (kind() != MimeNodeKind::multipart) {
    return 0;
  }
  return g_mime_multipart_get_count(GMIME_MULTIPART(as_object(object_)));
}

MimeNode MimeNode::child(int index) const {
  if (index < 0 || index >= child_count()) {
    return MimeNode();
  }
  return MimeNode(g_mime_multipart_get_part(GMIME_MULTIPART(as_object(object_)), index));
}

MimeNode MimeNode::nested() const {
  if (kind() != MimeNodeKind::message) {
    return MimeNode();
  }
  GMimeMessage* message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object_));
  return MimeNode(message != nullptr ? g_mime_message_get_mime_part(message) : nullptr);
}

struct ParsedMessage::State {
  SourceLink link;
  GMimeMessage* message = nullptr;

  ~State() {
    if (message != nullptr) {
      g_object_unref(message);
    }
  }
};

ParsedMessage::ParsedMessage(std::unique_ptr<State> state) : state_(std::move(state)) {}
ParsedMessage::ParsedMessage(ParsedMessage&&) noexcept = default;
ParsedMessage& ParsedMessage::operator=(ParsedMessage&&) noexcept = default;
ParsedMessage::~ParsedMessage() = default;

runtime::Result<ParsedMessage> ParsedMessage::parse(ContentSource& source) {
  initialise_gmime();
  auto state = std::make_unique<State>();
  state->link.source = &source;

  // Persisting the stream makes GMime keep each part's content as a substream (offsets
  // into the source) instead of copying it into memory.
  GMimeStream* stream = new_source_stream(&state->link, 0, -1);
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  g_mime_parser_set_persist_stream(parser, TRUE);
  g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
  // TODO: GMime builds its whole tree before the analysis applies part_count_max, so a
  // message of hundreds of thousands of tiny parts costs memory in proportion to its part
  // count, bounded only by the message size limit.
  state->message = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  g_object_unref(stream);

  if (state->link.failure) {
    return state->link.failure;
  }
  return ParsedMessage(std::move(state));
}

MimeNode ParsedMessage::top() const {
  if (state_->message == nullptr) {
    return MimeNode();
  }
  return MimeNode(g_mime_message_get_mime_part(state_->message));
}

ContentTypeReading read_content_type(std::string_view value) {
  initialise_gmime();
  const std::string text(value);
  GMimeContentType* type = g_mime_content_type_parse(nullptr, text.c_str());
  ContentTypeReading reading;
  reading.media_type = lower_copy(take_string(g_mime_content_type_get_mime_type(type)).c_str());
  reading.boundary = g_mime_content_type_get_parameter(type, "boundary") != nullptr
                         ? g_mime_content_type_get_parameter(type, "boundary")
                         : "";
  const char* name = g_mime_content_type_get_parameter(type, "name");
  reading.name = name != nullptr ? name : "";
  g_object_unref(type);
  return reading;
}

DispositionReading read_disposition(std::string_view value) {
  initialise_gmime();
  const std::string text(value);
  GMimeContentDisposition* disposition = g_mime_content_disposition_parse(nullptr, text.c_str());
  DispositionReading reading;
  reading.disposition = lower_copy(g_mime_content_disposition_get_disposition(disposition));
  const char* filename = g_mime_content_disposition_get_parameter(disposition, "filename");
  reading.filename = filename != nullptr ? filename : "";
  g_object_unref(disposition);
  return reading;
}

std::string decode_header_text(std::string_view text) {
  initialise_gmime();
  const std::string copy(text);
  return take_string(g_mime_utils_header_decode_text(nullptr, copy.c_str()));
}

}  // namespace gateway::inspection

#pragma GCC diagnostic pop
