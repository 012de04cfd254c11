// The MIME side of inspection, in memory: how fast the gateway finds the files in a
// message (analyse: GMime's parse, decoding every file once and hashing it) and writes the
// delivered version with one file replaced by a notice (rewrite: copies by byte range).
// The sandbox's time is not here; it is the emulation delay the scenarios model.
//
// Run: build/bin/bench_inspection [--benchmark_filter=...]. Sizes are of the attachment;
// bytes/s counts the whole message.
#include <cstdint>
#include <string>

#include <benchmark/benchmark.h>

#include "gateway/inspection/content_source.hpp"
#include "gateway/inspection/message_analysis.hpp"
#include "gateway/inspection/rewriter.hpp"

namespace {

using gateway::inspection::StringContentSource;

// Base64 lines of 76 characters, CRLF-terminated, for `size` bytes of varied content.
std::string base64_lines(std::size_t size) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  const std::size_t characters = (size + 2) / 3 * 4;
  out.reserve(characters + characters / 76 * 2 + 2);
  std::uint32_t state = 12345;
  for (std::size_t i = 0; i < characters; ++i) {
    state = state * 1103515245u + 12345u;
    out += alphabet[(state >> 16) % 64];
    if ((i + 1) % 76 == 0) {
      out += "\r\n";
    }
  }
  out += "\r\n";
  return out;
}

// A mail with a short text and two attachments: `size` bytes of report.bin and a small
// notes.txt.
std::string message_with_attachment(std::size_t size) {
  return "From: a@sender.example\r\nTo: b@corp.example\r\nSubject: figures\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
         "--b\r\nContent-Type: text/plain\r\n\r\nSee the attached files.\r\n"
         "--b\r\nContent-Type: application/octet-stream; name=\"report.bin\"\r\n"
         "Content-Disposition: attachment; filename=\"report.bin\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         base64_lines(size) +
         "--b\r\nContent-Type: text/plain; name=\"notes.txt\"\r\n"
         "Content-Disposition: attachment; filename=\"notes.txt\"\r\n\r\n"
         "Nothing to see.\r\n--b--\r\n";
}

void analyse_message(benchmark::State& state) {
  StringContentSource source(message_with_attachment(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto analysis = gateway::inspection::analyse(source, {});
    if (!analysis || analysis->files.size() != 2) {
      state.SkipWithError("the analysis did not find the two files");
      return;
    }
    benchmark::DoNotOptimize(analysis->files.front().sha256);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(source.size()));
}
// The attachment sizes every benchmark here runs at.
void attachment_sizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->Arg(64 << 10)->Arg(1 << 20)->Arg(10 << 20)->Unit(benchmark::kMillisecond);
}
BENCHMARK(analyse_message)->Apply(attachment_sizes);

void rewrite_message(benchmark::State& state) {
  StringContentSource source(message_with_attachment(static_cast<std::size_t>(state.range(0))));
  auto analysis = gateway::inspection::analyse(source, {});
  if (!analysis || analysis->files.size() != 2) {
    state.SkipWithError("the analysis did not find the two files");
    return;
  }
  // The small file is replaced; the large one is copied through by range.
  gateway::inspection::RewritePlan plan;
  plan.notices = {std::nullopt, std::string("An attachment was removed.")};
  plan.removed_fields = {"X-Threat-Emulation"};
  plan.added_fields = {{"X-Threat-Emulation", "\"report.bin\" sha256=00; benign"},
                       {"X-Threat-Emulation", "\"notes.txt\" sha256=11; malicious; removed"}};
  std::uint64_t written = 0;
  for (auto _ : state) {
    written = 0;
    auto done = gateway::inspection::rewrite(source, *analysis, plan,
                                             [&](std::string_view chunk) -> runtime::Result<void> {
                                               written += chunk.size();
                                               return {};
                                             });
    if (!done) {
      state.SkipWithError("the rewrite failed");
      return;
    }
  }
  benchmark::DoNotOptimize(written);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(source.size()));
}
BENCHMARK(rewrite_message)->Apply(attachment_sizes);

}  // namespace

BENCHMARK_MAIN();
