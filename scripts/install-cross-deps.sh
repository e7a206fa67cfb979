#!/usr/bin/env bash
# Installs what scripts/verify-portable.sh needs to build for aarch64 and run it here: the cross compiler, its C
# library, and user-mode QEMU (only those missing, like scripts/install-deps.sh, which does the installing).
set -euo pipefail
exec "$(dirname "$0")/install-deps.sh" gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
