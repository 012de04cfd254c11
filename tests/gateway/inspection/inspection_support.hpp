// Helpers for the inspection tests: building MIME by hand, reading a file's decoded bytes
// back through the streaming API, and looking for the EICAR string in every decoding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/inspection/message_analysis.hpp"
#include "gateway/inspection/rewriter.hpp"

namespace inspection_test {

// The standard harmless "malicious" file.
inline const std::string eicar =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

// `text` with every "\n" written as "\r\n", as mail travels.
std::string crlf(std::string_view text);

// Encoders for building messages; lines are wrapped at 76 characters with "\n".
std::string base64(std::string_view bytes);
std::string quoted_printable(std::string_view bytes);
std::string uuencode_lines(std::string_view bytes);  // data lines only, no begin/end

// A file's decoded bytes, read through stream_file in chunks. Fails the test on error.
std::string decoded(gateway::inspection::ContentSource& message,
                    const gateway::inspection::File& file);

gateway::inspection::MessageAnalysis analyse_text(
    const std::string& message, const gateway::inspection::AnalysisLimits& limits = {});

// Rewrites `message` with `plan`, returning the whole output.
std::string rewrite_text(const std::string& message,
                         const gateway::inspection::MessageAnalysis& analysis,
                         const gateway::inspection::RewritePlan& plan);

// A plan keeping every file.
gateway::inspection::RewritePlan keep_all(const gateway::inspection::MessageAnalysis& analysis);

// Whether EICAR appears in `message`: raw, in any run of base64 lines decoded, in its
// quoted-printable decoding, or in any file a fresh analysis of it finds.
bool eicar_anywhere(const std::string& message);

// GMime's shape of a message's tree: "L" leaf, "M(...)" multipart, "R(...)" message part.
std::string gmime_shape(const std::string& message);

}  // namespace inspection_test
