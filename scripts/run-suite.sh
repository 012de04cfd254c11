#!/usr/bin/env bash
# The run command: sets everything up, runs the bundled simulation and writes its report
# to report/ (or the folder given as the first argument).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
report=${1:-$root/report}

"$root/scripts/build.sh"
mkdir -p "$report"
"$root/build/bin/mta-sim" demo --seed 1 --trace "$report/demo-trace.jsonl" | tee "$report/summary.txt"
