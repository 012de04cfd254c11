#!/usr/bin/env bash
# Installs what the build needs (nothing when it is there), then configures and builds
# Release into build/. Extra arguments go to the configure step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" "$@"
cmake --build "$root/build" -j "$(nproc)"
