#!/usr/bin/env bash
# Installs, non-interactively, the Debian 12 packages that the build and the tests need.
# Does nothing (and needs no network) when every package is already installed.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake make pkg-config
  # libraries (individual Boost 1.81 packages: the -all- meta package drags in MPI)
  libboost1.81-dev libboost-test1.81-dev libboost-json1.81-dev
  libssl-dev openssl
  libgmime-3.0-dev libarchive-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libbenchmark-dev
  pybind11-dev python3-dev python3-pytest
  # live mode and test peers
  libfaketime faketime
  swaks libnet-ssleay-perl python3-aiosmtpd postfix
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi

# Postfix asks how to configure itself; the tests only use its smtp-sink and smtp-source.
echo "postfix postfix/main_mailer_type select No configuration" \
  | "${sudo_cmd[@]}" debconf-set-selections

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
