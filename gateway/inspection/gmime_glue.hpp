// The only door to GMime: parsing a ContentSource into GMime's tree through a seekable
// stream over the source (so GMime keeps part contents as offsets, never as copies), and
// GMime's readings of structured header values. Nothing GMime or glib leaks past this
// header; nodes are opaque handles valid while their ParsedMessage lives.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "gateway/inspection/content_source.hpp"

namespace gateway::inspection {

// What GMime made of one entity.
enum class MimeNodeKind { missing, leaf, multipart, message };

class MimeNode {
 public:
  MimeNode() = default;

  MimeNodeKind kind() const;
  // Children of a multipart; 0 for other kinds.
  int child_count() const;
  MimeNode child(int index) const;
  // The top entity of the message inside a message part.
  MimeNode nested() const;

 private:
  friend class ParsedMessage;
  explicit MimeNode(void* object) : object_(object) {}
  void* object_ = nullptr;  // a GMimeObject owned by the ParsedMessage's tree
};

class ParsedMessage {
 public:
  // Parses `source`, which must outlive the result. Errors: those the source reported
  // while GMime read it.
  static runtime::Result<ParsedMessage> parse(ContentSource& source);

  ParsedMessage(ParsedMessage&&) noexcept;
  ParsedMessage& operator=(ParsedMessage&&) noexcept;
  ~ParsedMessage();

  // The message's top entity (its MIME part); missing when GMime found no message.
  MimeNode top() const;

 private:
  struct State;
  explicit ParsedMessage(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// GMime's reading of a Content-Type value: lower-case "type/subtype" (text/plain when it
// cannot be read), the boundary parameter, and the name parameter decoded from RFC 2231 and
// RFC 2047 into UTF-8.
struct ContentTypeReading {
  std::string media_type;
  std::string boundary;
  std::string name;
};
ContentTypeReading read_content_type(std::string_view value);

// GMime's reading of a Content-Disposition value: lower-case disposition type and the
// decoded filename parameter.
struct DispositionReading {
  std::string disposition;
  std::string filename;
};
DispositionReading read_disposition(std::string_view value);

// Decodes RFC 2047 encoded words in unstructured text into UTF-8.
std::string decode_header_text(std::string_view text);

}  // namespace gateway::inspection
