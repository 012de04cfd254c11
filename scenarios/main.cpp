// mta-sim: runs simulated worlds. For now it runs the demonstration worlds (the product's
// story in mta and inline mode, then the kernel's crash and partition world); scenario
// files (`mta-sim run`, `mta-sim list`) arrive with the scenario runner.
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "scenarios/demo.hpp"
#include "scenarios/story.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

struct TraceFile {
  std::ofstream out;
  bool echo = false;
};

void write_line(std::string_view line, void* context) {
  auto& trace = *static_cast<TraceFile*>(context);
  if (trace.out.is_open()) {
    trace.out << line;
  }
  if (trace.echo) {
    std::cout << line;
  }
}

// Prints one telling of the product's story; true when it ended as it must.
bool tell_story(std::uint64_t seed, bool inline_mode) {
  const auto story = scenarios::run_story({.seed = seed, .inline_mode = inline_mode});
  std::cout << "\n"
            << story.mode << " mode: a mail with tool.com (EICAR) and figures.csv over "
            << "STARTTLS; the sandbox takes 3 minutes per file\n";
  for (const auto& event : story.timeline) {
    std::cout << "  t=" << std::fixed << std::setprecision(3) << std::setw(9) << event.at_seconds
              << "s  " << std::left << std::setw(9) << event.who << std::right << event.what
              << "\n";
  }
  std::cout << "  the source waited " << std::setprecision(3) << story.source_held_seconds
            << " s for its 250; delivered: " << (story.delivered ? "yes" : "no")
            << ", EICAR delivered: " << (story.eicar_delivered ? "YES" : "no")
            << ", figures.csv intact: " << (story.clean_file_intact ? "yes" : "no")
            << ", original quarantined: " << (story.original_quarantined ? "yes" : "no") << "\n";
  for (const auto& verdict : story.verdicts) {
    std::cout << "  X-Threat-Emulation: " << verdict << "\n";
  }
  std::cout.unsetf(std::ios::floatfield);
  return story.source_got_250 && story.delivered && !story.eicar_delivered &&
         story.clean_file_intact && story.original_quarantined;
}

int run_demo_command(std::uint64_t seed, const std::string& trace_path, bool print_trace) {
  TraceFile trace;
  trace.echo = print_trace;
  if (!trace_path.empty()) {
    trace.out.open(trace_path, std::ios::binary | std::ios::trunc);
    if (!trace.out) {
      std::cerr << "mta-sim: cannot write " << trace_path << "\n";
      return exit_usage;
    }
  }

  std::cout << "seed " << seed << ": replay with `mta-sim demo --seed " << seed << "`\n";
  const bool told = tell_story(seed, false) & tell_story(seed, true);

  std::cout << "\nthe kernel: a source, a relay that crashes and restarts, a link cut for five "
               "minutes\n";
  auto result = scenarios::run_demo({.seed = seed, .on_trace_line = write_line, .context = &trace});

  std::cout << "demo: " << result.messages_acknowledged << " messages acknowledged, "
            << result.messages_on_disk << " on the relay's disk, " << result.virtual_seconds
            << " virtual seconds, " << result.trace_lines << " trace lines, trace sha256 "
            << result.trace_digest << "\n";
  if (!trace_path.empty()) {
    std::cout << "trace written to " << trace_path << "\n";
  }
  // Every acknowledged message must be on disk: the store-and-forward promise.
  return told && result.messages_on_disk == result.messages_acknowledged ? exit_ok : exit_failed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mta-sim: deterministic simulation of the mail gateway and its world"};
  app.require_subcommand(1);

  std::uint64_t seed = 1;
  std::string trace_path;
  bool print_trace = false;
  auto* demo = app.add_subcommand("demo", "run the demonstration world and print what happened");
  demo->add_option("--seed", seed, "the world's seed (default 1)");
  demo->add_option("--trace", trace_path, "write the JSON-lines trace to this file");
  demo->add_flag("--print-trace", print_trace, "print the trace lines as they happen");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? exit_ok : exit_usage;
  }

  if (*demo) {
    return run_demo_command(seed, trace_path, print_trace);
  }
  return exit_usage;
}
