// Files embedded in a text body the old way: uuencoded ("begin 644 name" ... "end") and its
// base64 variant ("begin-base64 644 name" ... "===="). Mail readers still decode them and
// show them as attachments, so they are files to inspect even though MIME calls them text.
#pragma once

#include <string>
#include <vector>

#include "gateway/inspection/byte_range.hpp"
#include "gateway/inspection/content_source.hpp"
#include "gateway/inspection/transfer_decoder.hpp"

namespace gateway::inspection {

struct EmbeddedBlock {
  std::string file_name;
  // What to decode: for uuencode, from the "begin" line to the "end" line (the decoder
  // skips the "begin" line itself); for begin-base64, the data lines only.
  ByteRange range;
  TransferEncoding encoding = TransferEncoding::uuencode;
};

// Finds the blocks in `text` (decoded text bytes) in order. A block without its end line
// runs to the end of the text, as readers decode it. Errors: those of the source.
runtime::Result<std::vector<EmbeddedBlock>> find_embedded_blocks(ContentSource& source,
                                                                 ByteRange text);

}  // namespace gateway::inspection
