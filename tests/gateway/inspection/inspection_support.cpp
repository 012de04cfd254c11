#include "inspection_support.hpp"

#include <boost/test/unit_test.hpp>

#include "gateway/inspection/gmime_glue.hpp"
#include "gateway/inspection/transfer_decoder.hpp"

namespace inspection_test {

using namespace gateway::inspection;

std::string crlf(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') {
      out += '\r';
    }
    out += c;
  }
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t column = 0;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size())
      group |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size())
      group |= static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(group >> 18) & 63];
    out += alphabet[(group >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(group >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? alphabet[group & 63] : '=';
    column += 4;
    if (column >= 76) {
      out += '\n';
      column = 0;
    }
  }
  if (column != 0) {
    out += '\n';
  }
  return out;
}

std::string quoted_printable(std::string_view bytes) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t column = 0;
  for (const char c : bytes) {
    std::string piece;
    const auto byte = static_cast<unsigned char>(c);
    if (c == '=' || byte < 33 || byte > 126) {
      piece = {'=', hex[byte >> 4], hex[byte & 15]};
    } else {
      piece = std::string(1, c);
    }
    if (column + piece.size() > 72) {
      out += "=\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  }
  return out + "\n";
}

std::string uuencode_lines(std::string_view bytes) {
  auto character = [](std::uint32_t value) { return value == 0 ? '`' : char(32 + value); };
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 45) {
    const std::string_view line = bytes.substr(i, 45);
    out += character(static_cast<std::uint32_t>(line.size()));
    for (std::size_t j = 0; j < line.size(); j += 3) {
      std::uint32_t group = static_cast<unsigned char>(line[j]) << 16;
      if (j + 1 < line.size())
        group |= static_cast<unsigned char>(line[j + 1]) << 8;
      if (j + 2 < line.size())
        group |= static_cast<unsigned char>(line[j + 2]);
      for (int shift = 18; shift >= 0; shift -= 6) {
        out += character((group >> shift) & 63);
      }
    }
    out += '\n';
  }
  return out + "`\n";
}

std::string decoded(ContentSource& message, const File& file) {
  std::string bytes;
  auto streamed = stream_file(message, file, [&](std::string_view chunk) {
    bytes.append(chunk);
    return runtime::Result<void>();
  });
  BOOST_TEST_REQUIRE(streamed.has_value(), "stream_file failed: " << streamed.error().message());
  return bytes;
}

MessageAnalysis analyse_text(const std::string& message, const AnalysisLimits& limits) {
  StringContentSource source(message);
  auto analysis = analyse(source, limits);
  BOOST_TEST_REQUIRE(analysis.has_value(), "analyse failed: " << analysis.error().message());
  return *analysis;
}

std::string rewrite_text(const std::string& message, const MessageAnalysis& analysis,
                         const RewritePlan& plan) {
  StringContentSource source(message);
  std::string out;
  auto written = rewrite(source, analysis, plan, [&](std::string_view chunk) {
    out.append(chunk);
    return runtime::Result<void>();
  });
  BOOST_TEST_REQUIRE(written.has_value(), "rewrite failed: " << written.error().message());
  return out;
}

RewritePlan keep_all(const MessageAnalysis& analysis) {
  RewritePlan plan;
  plan.notices.resize(analysis.files.size());
  return plan;
}

namespace {

std::string decode_all(std::string_view text, TransferEncoding encoding) {
  TransferDecoder decoder(encoding);
  std::string out;
  decoder.decode(text, out);
  decoder.finish(out);
  return out;
}

// Every maximal run of lines made only of base64 characters, decoded.
bool eicar_in_base64_runs(const std::string& message) {
  std::string run;
  std::size_t start = 0;
  auto flush = [&run] {
    const bool found = decode_all(run, TransferEncoding::base64).find(eicar) != std::string::npos;
    run.clear();
    return found;
  };
  while (start < message.size()) {
    std::size_t stop = message.find('\n', start);
    if (stop == std::string::npos)
      stop = message.size();
    std::string_view line(message.data() + start, stop - start);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    const bool base64_line = !line.empty() && line.find_first_not_of(
                                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                                                  "vwxyz0123456789+/=!*# ") == std::string::npos;
    if (base64_line) {
      run.append(line);
    } else if (!run.empty() && flush()) {
      return true;
    }
    start = stop + 1;
  }
  return !run.empty() && flush();
}

}  // namespace

bool eicar_anywhere(const std::string& message) {
  if (message.find(eicar) != std::string::npos || eicar_in_base64_runs(message) ||
      decode_all(message, TransferEncoding::quoted_printable).find(eicar) != std::string::npos) {
    return true;
  }
  StringContentSource source(message);
  for (const auto& file : analyse_text(message).files) {
    if (decoded(source, file).find(eicar) != std::string::npos) {
      return true;
    }
  }
  return false;
}

namespace {

std::string shape_of(const MimeNode& node) {
  switch (node.kind()) {
    case MimeNodeKind::missing:
      return "-";
    case MimeNodeKind::leaf:
      return "L";
    case MimeNodeKind::message:
      return "R(" + shape_of(node.nested()) + ")";
    case MimeNodeKind::multipart: {
      std::string shape = "M(";
      for (int i = 0; i < node.child_count(); ++i) {
        shape += (i > 0 ? "," : "") + shape_of(node.child(i));
      }
      return shape + ")";
    }
  }
  return "?";
}

}  // namespace

std::string gmime_shape(const std::string& message) {
  StringContentSource source(message);
  auto parsed = ParsedMessage::parse(source);
  BOOST_TEST_REQUIRE(parsed.has_value());
  return shape_of(parsed->top());
}

}  // namespace inspection_test
