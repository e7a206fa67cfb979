#!/usr/bin/env bash
# Installs what scripts/verify-portable.sh needs to build for aarch64 and run it here: the cross compiler, its C
# library, and user-mode QEMU. Only the Debian packages missing; through sudo when not root.
set -euo pipefail

packages=(
  gcc-aarch64-linux-gnu
  libc6-dev-arm64-cross
  qemu-user
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-cross-deps: missing ${missing[*]}, and this system has no apt-get: install them by hand" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-cross-deps: run as root or install sudo to get: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-cross-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
