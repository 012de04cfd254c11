#!/usr/bin/env bash
# Fails when code behind the seam reaches the world directly: clocks, C randomness,
# threads, or files. Only runtime/real/ and programs' main files may; they are not
# scanned. Usage: check_seam.sh REPOSITORY_ROOT
set -euo pipefail
root=${1:-.}

folders=()
for folder in gateway emulator_mock sim sim/peers; do
  [[ -d "$root/$folder" ]] && folders+=("$root/$folder")
done
[[ ${#folders[@]} -eq 0 ]] && { echo "seam check: nothing to scan"; exit 0; }

forbidden='steady_clock::now|system_clock::now|high_resolution_clock::now|\btime\(nullptr\)|\bgettimeofday\b|\bclock_gettime\b|\bstd::rand\b|\bsrand\(|[^_a-z]rand\(\)|random_device|std::thread|std::jthread|std::async\(|\bfopen\(|std::ifstream|std::ofstream|std::fstream|std::filesystem|\bfsync\(|(^|[^A-Za-z0-9_>])::open\(|\bsleep_for\b|\busleep\('

# main.cpp files are programs' entry points, allowed to wire up the real world.
if hits=$(grep -rnE --include='*.cpp' --include='*.hpp' "$forbidden" "${folders[@]}" \
            | grep -v '/main\.cpp:' | grep -vE ':[0-9]+:\s*//'); then
  echo "seam check: direct use of the world behind the seam:"
  echo "$hits"
  exit 1
fi
echo "seam check: ${folders[*]} clean"
