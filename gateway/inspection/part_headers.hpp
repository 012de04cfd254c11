// One reading of a part's content header fields, or the reason there is no single reading.
//
// How hostile header blocks are read (each choice keeps a file from passing unseen):
//
// | what the header block holds                  | reading                                  |
// | -------------------------------------------- | ---------------------------------------- |
// | no Content-Type                              | text/plain (RFC 2045 5.2)                |
// | Content-Type twice, same type and boundary   | that type                                |
// | Content-Type twice, different type/boundary  | ambiguous: unparseable                   |
// | boundary parameter twice, different values   | ambiguous: unparseable                   |
// | multipart without a boundary                 | unparseable                              |
// | filename / name in RFC 2231 or RFC 2047      | decoded to UTF-8 (GMime)                 |
// | filename and name differ, or either repeated | first filename wins; the others are kept |
// |                                              | as other names, to be scanned under each |
// | Content-Transfer-Encoding with blanks or     | trimmed, lower-cased, comments dropped   |
// | capitals ("BASE64 ", "Base64 (x)")           |                                          |
// | Content-Transfer-Encoding x-uuencode/uue     | uudecoded                                |
// | Content-Transfer-Encoding unknown            | unparseable (readers differ: raw, guess) |
// | Content-Transfer-Encoding twice, different   | unparseable                              |
// | a line that is neither field nor continuation| unparseable (readers end the block at    |
// | before the empty line, or an over-long line  | different places)                        |
// | Content-Disposition attachment in any field  | a file                                   |
#pragma once

#include <string>
#include <vector>

#include "gateway/inspection/header_block.hpp"
#include "gateway/inspection/transfer_decoder.hpp"

namespace gateway::inspection {

struct PartHeaders {
  std::string media_type = "text/plain";
  std::string boundary;
  TransferEncoding encoding = TransferEncoding::identity;
  bool attachment = false;         // some Content-Disposition says attachment
  std::vector<std::string> names;  // decoded file names, the chosen one first
  bool has_fields = false;         // the block holds at least one field
  std::string ambiguity;           // why there is no single reading; empty when there is

  bool multipart() const { return media_type.starts_with("multipart/"); }
  bool encapsulated_message() const {
    return media_type == "message/rfc822" || media_type == "message/global";
  }
};

PartHeaders read_part_headers(const HeaderBlock& block);

}  // namespace gateway::inspection
