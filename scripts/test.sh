#!/usr/bin/env bash
# The test command: sets everything up and runs every test.
#   scripts/test.sh            Release build in build/, then every CTest test
#   scripts/test.sh --asan     the same in build-asan/ with AddressSanitizer and UBSan
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/install-deps.sh"
if [[ "${1:-}" == "--asan" ]]; then
  cmake --preset asan -S "$root"
  cmake --build "$root/build-asan" -j "$(nproc)"
  ctest --test-dir "$root/build-asan" --output-on-failure -j "$(nproc)"
else
  cmake -S "$root" -B "$root/build"
  cmake --build "$root/build" -j "$(nproc)"
  ctest --test-dir "$root/build" --output-on-failure -j "$(nproc)"
fi
