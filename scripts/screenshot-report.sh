#!/usr/bin/env bash
# Renders a DistEmbed HTML report to a PNG with headless Chromium, installing Debian's chromium if it is missing.
# Usage: scripts/screenshot-report.sh REPORT.html OUT.png [WIDTH,HEIGHT]   (default window 1200,2400)
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTH,HEIGHT]" >&2
  exit 2
fi
report=$1
out=$2
size=${3:-1200,2400}
[ -f "$report" ] || { echo "screenshot-report: no such file: $report" >&2; exit 1; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  command -v apt-get >/dev/null 2>&1 || { echo "screenshot-report: install chromium by hand" >&2; exit 1; }
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "screenshot-report: run as root or install sudo" >&2; exit 1; }
    sudo=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core; }
  browser=$(command -v chromium)
fi

# Absolute paths: Chromium resolves file:// URLs and --screenshot against its own working directory.
report_path=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
out_dir=$(cd "$(dirname "$out")" && pwd)
out_path=$out_dir/$(basename "$out")

# Chromium logs much that does not matter (no D-Bus in a container): show its log only when it fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rm -f "$out_path"
# --no-sandbox: Chromium refuses to run as root with its sandbox.
if ! "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
  --screenshot="$out_path" --window-size="$size" "file://$report_path" >"$log" 2>&1 || [ ! -s "$out_path" ]; then
  cat "$log" >&2
  echo "screenshot-report: chromium wrote no image" >&2
  exit 1
fi
echo "$out_path"
