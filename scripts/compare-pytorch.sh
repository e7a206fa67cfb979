#!/usr/bin/env bash
# The exercise in PyTorch and in distembed, timed in one invocation (scripts/compare_pytorch.py prints the table).
# For people, not CI: it downloads about 3.5 GB (5.3 GB installed) and trains the exercise five times (several
# minutes on two cores).
#
#   scripts/compare-pytorch.sh [--venv DIR] [--json FILE] [--spec SPEC] [--data DIR] [--runs NAME...]
#
# Without --venv the venv is a temporary folder removed at exit; --venv DIR creates DIR once and reuses it.
# PyTorch comes from PyPI (TORCH_SPEC, default "torch"). PyPI's Linux x86-64 wheel is the CUDA build: `import torch`
# loads libcudart, cuBLAS, cuDNN, NCCL and the rest even on a machine without a GPU (with `--no-deps` it stops at
# "libcublasLt.so not found"), so pip installs its nvidia-* dependencies too; the runs use the CPU only.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv=""
args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --venv) venv="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
if [[ -z "$venv" ]]; then
    venv="$(mktemp -d /tmp/distembed-torch.XXXXXX)"
    trap 'rm -rf "$venv"' EXIT
fi

binary="${DISTEMBED:-$root/.build/release/distembed}"
if [[ ! -x "$binary" ]]; then
    make -C "$root" build
fi

if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    free_gb=$(df -Pk "$(dirname "$venv")" | awk 'NR == 2 { print int($4 / 1048576) }')
    if (( free_gb < 6 )); then
        echo "compare-pytorch: $free_gb GB free under $(dirname "$venv"); PyTorch and its CUDA libraries need about 6" >&2
        exit 1
    fi
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet "${TORCH_SPEC:-torch}"
fi

"$venv/bin/python" "$root/scripts/compare_pytorch.py" --distembed "$binary" "${args[@]}"
