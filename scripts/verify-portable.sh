#!/usr/bin/env bash
# Proves that the C kernels (Sources/CKernels) give the same bits on every CPU. Builds every Sources/CKernels/*.c
# with each driver Tests/Portable/*_check.c (a standalone main that prints `hash NAME HEX` lines) three ways:
#
#   native    cc -O3 -ffp-contract=off -fno-math-errno: at run time the kernels take this CPU's best path
#             (AVX-512 or AVX2); also run with the AVX2 and the scalar path forced, where the CPU has them;
#   baseline  the same with -march=x86-64 -mno-fma, on the scalar path, under
#             GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4,-AVX512F, so even glibc's fmaf takes its software path;
#   aarch64   aarch64-linux-gnu-gcc -O3 -static -ffp-contract=off, run under qemu-aarch64: NEON, then scalar;
#
# and runs each driver on each, checking that it exits 0 and prints exactly the `hash` lines of the native run
# (other lines are informational). (d) The native run is repeated with OPENBLAS_CORETYPE=Sandybridge, which
# must change nothing either. Exits 1 if anything fails or differs.
#
# A driver may say, in lines of its source, which arguments to take:
#   // verify-portable: cross-args ARGS     for the runs compared across builds (none by default)
#   // verify-portable: native-args ARGS    for one more native run, which must pass (e.g. an exhaustive check
#                                           too slow under QEMU); its hash lines are printed, not compared
#   // verify-portable: expect FILE         the `hash` lines of FILE (e.g. the Swift build's) must be the native
#                                           run's too
# $NAME or ${NAME} in an argument is that environment variable; when it is unset the driver is skipped.
#
#   scripts/verify-portable.sh [--quick] [DRIVER...]
#
# net_check recomputes the chunks of a short training run (experiments/exercise4.json, 1 epoch of 1,000 samples):
# the Swift build (.build/release/distembed, `make build`) writes them and its own hashes into
# $DISTEMBED_PORTABLE_CASES, a temporary folder unless set. (b) also builds the whole binary for baseline x86-64
# (.build-baseline) and trains the short run with it on the scalar path, glibc's fma in software: its weights
# must be the normal build's.
#
# --quick leaves out the native-args runs and the baseline Swift build; DRIVER names (e.g. exp_log_check) limit
# the drivers run.
# Installs the cross compiler and QEMU when missing (scripts/install-cross-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
only=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "verify-portable: unknown option $arg" >&2; exit 2 ;;
    *) only+=("${arg%.c}") ;;
  esac
done

if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
  echo "verify-portable: needs an x86-64 Linux machine (it builds for x86-64, and for aarch64 to run under QEMU)" >&2
  exit 2
fi
if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1; then
  scripts/install-cross-deps.sh
fi

CC=${CC:-cc}
AARCH64_CC=${AARCH64_CC:-aarch64-linux-gnu-gcc}
work=$(mktemp -d "${TMPDIR:-/tmp}/verify-portable.XXXXXX")
trap 'rm -rf "$work"' EXIT

kernels=(Sources/CKernels/*.c)
drivers=()
for d in Tests/Portable/*_check.c; do
  name=$(basename "$d" .c)
  if [ ${#only[@]} -gt 0 ]; then
    keep=0
    for o in "${only[@]}"; do [ "$o" = "$name" ] && keep=1; done
    [ $keep -eq 1 ] || continue
  fi
  drivers+=("$d")
done
if [ ${#drivers[@]} -eq 0 ]; then
  echo "verify-portable: no driver Tests/Portable/*_check.c${only[*]:+ named ${only[*]}}" >&2
  exit 2
fi

# Linked into every build: takes the path named by VERIFY_PORTABLE_ISA before main (exit 77 when this CPU or build
# lacks it) and writes the path the kernels take to VERIFY_PORTABLE_ISA_FILE.
cat > "$work/select_isa.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "distembed_kernels.h"

__attribute__((constructor)) static void verify_portable_select_isa(void) {
    const char *want = getenv("VERIFY_PORTABLE_ISA");
    if (want && *want) {
        int isa = 0;
        while (isa < 16 && strcmp(distembed_isa_name(isa), want) != 0) isa++;
        if (isa == 16 || distembed_isa_select(isa) != 0) {
            fprintf(stderr, "verify-portable: this CPU or build has no %s path\n", want);
            exit(77);
        }
    }
    const char *file = getenv("VERIFY_PORTABLE_ISA_FILE");
    FILE *f = file && *file ? fopen(file, "w") : NULL;
    if (f) {
        fprintf(f, "%s\n", distembed_isa_name(distembed_isa_active()));
        fclose(f);
    }
}
EOF

# ---- The short run's chunks, from the Swift build ------------------------------------------------------------

binary=.build/release/distembed
short_run=(experiments/exercise4.json --set training.epochs=1 --set dataset.trainLimit=1000 --set dataset.testLimit=100)
if [ -z "${DISTEMBED_PORTABLE_CASES:-}" ] && [ -x "$binary" ]; then
  export DISTEMBED_PORTABLE_CASES="$work/cases"
  mkdir -p "$DISTEMBED_PORTABLE_CASES"
  echo "verify-portable: writing the short run's chunks with $binary"
  "$binary" debug portable-cases "${short_run[@]}" --out "$DISTEMBED_PORTABLE_CASES" \
    >"$DISTEMBED_PORTABLE_CASES/swift-hashes.txt"
  echo "  $(grep -c '^hash ' "$DISTEMBED_PORTABLE_CASES/swift-hashes.txt") chunks, $(grep '^weights' \
    "$DISTEMBED_PORTABLE_CASES/swift-hashes.txt")"
fi

# ---- Builds -----------------------------------------------------------------------------------------------------

declare -A build_ok
build() {  # NAME COMPILER FLAGS...: every kernel and the ISA selector, compiled to objects in $work/NAME
  local name=$1 compiler=$2
  shift 2
  mkdir -p "$work/$name"
  local src
  for src in "${kernels[@]}" "$work/select_isa.c"; do
    if ! "$compiler" "$@" -ISources/CKernels/include -ISources/CKernels -c "$src" \
        -o "$work/$name/$(basename "$src" .c).o" >>"$work/$name/build.log" 2>&1; then
      echo "verify-portable: the $name build of $src failed:" >&2
      sed 's/^/    /' "$work/$name/build.log" >&2
      build_ok[$name]=0
      return 0
    fi
  done
  build_ok[$name]=1
}
native_flags=(-O3 -ffp-contract=off -fno-math-errno)
baseline_flags=(-O3 -ffp-contract=off -fno-math-errno -march=x86-64 -mno-fma)
aarch64_flags=(-O3 -static -ffp-contract=off)
echo "verify-portable: building ${#kernels[@]} kernel files: native ($CC ${native_flags[*]}), baseline" \
     "($CC ${baseline_flags[*]}), aarch64 ($AARCH64_CC ${aarch64_flags[*]})"
build native "$CC" "${native_flags[@]}"
build baseline "$CC" "${baseline_flags[@]}"
build aarch64 "$AARCH64_CC" "${aarch64_flags[@]}"

link() {  # BUILD DRIVER_SOURCE → $work/BUILD/DRIVER
  local b=$1 src=$2 compiler=$CC flags
  case "$b" in
    native) flags=("${native_flags[@]}") ;;
    baseline) flags=("${baseline_flags[@]}") ;;
    aarch64) compiler=$AARCH64_CC; flags=("${aarch64_flags[@]}") ;;
  esac
  [ "${build_ok[$b]}" = 1 ] || return 1
  "$compiler" "${flags[@]}" -ISources/CKernels/include -ISources/CKernels "$src" "$work/$b"/*.o -lm -lpthread \
    -o "$work/$b/$(basename "$src" .c)" >>"$work/$b/link.log" 2>&1 || {
    echo "verify-portable: linking $(basename "$src") for $b failed:" >&2
    sed 's/^/    /' "$work/$b/link.log" >&2
    return 1
  }
}

# ---- Arguments from a driver's source ------------------------------------------------------------------------

marker_args=()
marker_missing=""
read_marker() {  # FILE KEY → marker_args (empty when no such line); marker_missing names an unset variable
  marker_args=()
  marker_missing=""
  local line word var
  line=$(grep -m1 -E "verify-portable: $2( |\$)" "$1" | sed -E "s/.*verify-portable: $2 *//" || true)
  set -f
  for word in $line; do
    while [[ $word =~ \$\{?([A-Za-z_][A-Za-z0-9_]*)\}? ]]; do
      var=${BASH_REMATCH[1]}
      if [ -z "${!var:-}" ]; then marker_missing=$var; set +f; return 0; fi
      word=${word/"${BASH_REMATCH[0]}"/"${!var}"}
    done
    marker_args+=("$word")
  done
  set +f
}

# ---- Runs ----------------------------------------------------------------------------------------------------

run_rc=0
run_out=""
run_isa=""
run() {  # BUILD DRIVER [VAR=VALUE...] -- ARGS... → run_rc, run_out (stdout), run_isa; OPENBLAS_CORETYPE unset
  local b=$1 d=$2
  shift 2
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  local runner=()
  [ "$b" = aarch64 ] && runner=(qemu-aarch64)
  rm -f "$work/isa"
  set +e
  run_out=$(env -u OPENBLAS_CORETYPE -u VERIFY_PORTABLE_ISA VERIFY_PORTABLE_ISA_FILE="$work/isa" "${envs[@]}" \
    "${runner[@]}" "$work/$b/$d" "$@" </dev/null 2>"$work/stderr")
  run_rc=$?
  set -e
  run_isa=$(cat "$work/isa" 2>/dev/null || echo "unknown")
}
hashes() { grep '^hash ' <<<"$1" || true; }
count() { if [ -z "$1" ]; then echo 0; else wc -l <<<"$1" | tr -d ' '; fi; }

failures=()
for src in "${drivers[@]}"; do
  d=$(basename "$src" .c)
  read_marker "$src" cross-args
  echo
  if [ -n "$marker_missing" ]; then
    echo "== $d: SKIPPED (its arguments need \$$marker_missing)"
    continue
  fi
  args=("${marker_args[@]}")
  echo "== $d${args[*]:+ (arguments: ${args[*]})}"

  linked=" "
  for b in native baseline aarch64; do
    if link "$b" "$src"; then linked+="$b "; else failures+=("$d: $b build"); echo "  $b build: FAILED"; fi
  done
  [[ $linked == *" native "* ]] || continue

  # The reference: the native build on this CPU's best path.
  run native "$d" -- "${args[@]}"
  ref=$(hashes "$run_out")
  sed 's/^/    | /' <<<"$run_out"
  if [ $run_rc -ne 0 ] || [ -z "$ref" ]; then
    echo "  native, $run_isa path: FAILED (exit $run_rc, $(count "$ref") hash lines)"
    sed 's/^/    ! /' "$work/stderr"
    failures+=("$d: native")
    continue
  fi
  echo "  native, $run_isa path: PASSED ($(count "$ref") hash lines: the reference)"

  read_marker "$src" expect
  if [ -n "$marker_missing" ]; then
    echo "  expected hash lines: SKIPPED (the file's name needs \$$marker_missing)"
  elif [ ${#marker_args[@]} -gt 0 ]; then
    expect_file=${marker_args[0]}
    expected=$(grep '^hash ' "$expect_file" 2>/dev/null || true)
    if [ -z "$expected" ]; then
      echo "  expected hash lines from $expect_file: FAILED (no such file, or no hash lines in it)"
      failures+=("$d: expected hash lines")
    elif [ "$expected" != "$ref" ]; then
      echo "  expected hash lines from $expect_file: FAILED (they differ from the native run's)"
      diff <(echo "$expected") <(echo "$ref") | sed 's/^/    /' || true
      failures+=("$d: expected hash lines")
    else
      echo "  expected hash lines from $expect_file: PASSED ($(count "$expected") identical)"
    fi
  fi

  compare() {  # LABEL BUILD [VAR=VALUE...]: one run against the reference
    local label=$1 b=$2
    shift 2
    [[ $linked == *" $b "* ]] || return 0
    run "$b" "$d" "$@" -- "${args[@]}"
    if [ $run_rc -eq 77 ]; then
      echo "  $label: SKIPPED (no such path on this CPU)"
      return 0
    fi
    local got
    got=$(hashes "$run_out")
    if [ $run_rc -ne 0 ]; then
      echo "  $label, $run_isa path: FAILED (exit $run_rc)"
      sed 's/^/    | /' <<<"$run_out"
      sed 's/^/    ! /' "$work/stderr"
      failures+=("$d: $label")
    elif [ "$got" != "$ref" ]; then
      echo "  $label, $run_isa path: FAILED (hash lines differ from the native run's)"
      diff <(echo "$ref") <(echo "$got") | sed 's/^/    /' || true
      failures+=("$d: $label")
    else
      echo "  $label, $run_isa path: PASSED (identical hash lines)"
    fi
  }
  compare "native, AVX2 forced" native VERIFY_PORTABLE_ISA=avx2
  compare "native, scalar forced" native VERIFY_PORTABLE_ISA=scalar
  compare "baseline x86-64 (no FMA; glibc without AVX2/FMA/AVX-512)" baseline VERIFY_PORTABLE_ISA=scalar \
    GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4,-AVX512F
  compare "aarch64 under QEMU" aarch64
  compare "aarch64 under QEMU, scalar forced" aarch64 VERIFY_PORTABLE_ISA=scalar
  compare "(d) native with OPENBLAS_CORETYPE=Sandybridge, against unset" native OPENBLAS_CORETYPE=Sandybridge

  if [ $quick -eq 0 ]; then
    read_marker "$src" native-args
    if [ -n "$marker_missing" ]; then
      echo "  native full run: SKIPPED (its arguments need \$$marker_missing)"
    elif grep -q -E 'verify-portable: native-args' "$src"; then
      full=("${marker_args[@]}")
      run native "$d" -- "${full[@]}"
      sed 's/^/    | /' <<<"$run_out"
      if [ $run_rc -eq 0 ]; then
        echo "  native full run (arguments: ${full[*]}), $run_isa path: PASSED"
      else
        echo "  native full run (arguments: ${full[*]}), $run_isa path: FAILED (exit $run_rc)"
        sed 's/^/    ! /' "$work/stderr"
        failures+=("$d: native full run")
      fi
    fi
  fi
done

# ---- (b) The whole binary for baseline x86-64 ---------------------------------------------------------------

if [ $quick -eq 0 ] && [ ${#only[@]} -eq 0 ] && [ -x "$binary" ]; then
  echo
  echo "== (b) the whole distembed binary for baseline x86-64 (no AVX, no FMA instructions), scalar kernels"
  if DISTEMBED_BASELINE_X86_64=1 swift build -c release --build-path .build-baseline >"$work/baseline-build.log" 2>&1; then
    hash_of() { grep '^weightsSha256' | awk '{print $2}'; }
    normal=$("$binary" train "${short_run[@]}" --local 2>/dev/null | hash_of)
    baseline=$(env DISTEMBED_KERNELS=scalar GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4,-AVX512F \
      .build-baseline/release/distembed train "${short_run[@]}" --local 2>/dev/null | hash_of)
    echo "    | normal build:   $normal"
    echo "    | baseline build: $baseline"
    if [ -n "$normal" ] && [ "$normal" = "$baseline" ]; then
      echo "  short run, baseline binary: PASSED (the same weights)"
    else
      echo "  short run, baseline binary: FAILED"
      failures+=("baseline binary: short run")
    fi
  else
    echo "  baseline build: FAILED"
    tail -20 "$work/baseline-build.log" | sed 's/^/    ! /'
    failures+=("baseline binary: build")
  fi
fi

echo
if [ ${#failures[@]} -eq 0 ]; then
  echo "verify-portable: PASSED (${#drivers[@]} drivers)"
else
  echo "verify-portable: FAILED:"
  printf '  %s\n' "${failures[@]}"
  exit 1
fi
