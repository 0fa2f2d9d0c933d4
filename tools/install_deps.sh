#!/usr/bin/env bash
# Installs what ebsim needs on Debian bookworm, and nothing when it is all there.
# Idempotent; runs as root directly, otherwise through sudo.
set -euo pipefail

packages=(
  build-essential cmake ccache git python3
  libboost1.81-dev nlohmann-json3-dev libcli11-dev libspdlog-dev catch2 libbenchmark-dev
  libboost-url1.81-dev  # Boost.URL is compiled: percent-decoding in ebsim serve
  libssl-dev  # OpenSSL's libcrypto: SHA-256 and HMAC for ebsim serve's SigV4 verification
  clang-format clang
  awscli curl  # the serve test drives ebsim serve with the AWS CLI v2 (/usr/bin/aws)
  bind9-dnsutils  # and asks its DNS server with dig
)

# The JavaScript SDK test needs Node.js and npm: the machine's own if it has them (a newer one
# than Debian's may be installed outside apt), otherwise Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1; then
  sudo_cmd=(sudo)
else
  echo "install_deps: missing ${missing[*]}; run as root or install sudo" >&2
  exit 1
fi

echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
