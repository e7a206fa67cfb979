#!/bin/sh
# Fuzzes what reads untrusted input with libFuzzer and AddressSanitizer: FuzzCodec (Codec.decode: every byte a
# peer can send), FuzzSpec (ExperimentSpec.parse: every spec a client can submit) and FuzzHandlers (a coordinator
# in process, fed sequences of client and worker messages built field by field).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default 60 s each, every target
#
# Corpora grow in Fuzz/corpus/TARGET (seeded with the examples); crashing inputs are kept in
# Fuzz/crashes/TARGET/ (replay one with `Fuzz/.build/debug/TARGET FILE`). Add each one, once fixed, to
# Tests/WireTests/FuzzRegressionTests.swift as a byte-array literal.
set -eu
cd "$(dirname "$0")/../Fuzz"
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=${*:-FuzzCodec FuzzSpec FuzzHandlers}

swift build -c debug --scratch-path .build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    -Xswiftc -g 2>&1 | grep -v "prohibited flag" || true

mkdir -p corpus/FuzzSpec corpus/FuzzCodec corpus/FuzzHandlers
cp ../experiments/*.json corpus/FuzzSpec/ 2>/dev/null || true
for target in $TARGETS; do
    mkdir -p "crashes/$target"
    echo "== $target: ${SECONDS_EACH}s"
    # -rss_limit_mb: the codec may legitimately allocate up to its 1 MiB message limit per field.
    # -len_control=0: FuzzHandlers reads a sequence of messages, which needs longer inputs from the start.
    # FuzzHandlers: no LeakSanitizer. Its coordinator lives across inputs, and a Swift enum keeps a tag in the
    # spare bits of its class payload's pointer (`PixelBacking`), which LeakSanitizer does not take for a pointer.
    # Both settings: libFuzzer's flag stops the check between inputs, ASAN_OPTIONS the one at exit.
    leaks=1
    [ "$target" = FuzzHandlers ] && leaks=0
    ASAN_OPTIONS="detect_leaks=$leaks${ASAN_OPTIONS:+:$ASAN_OPTIONS}" FUZZ_SEED_DIR="corpus/$target" ".build/debug/$target" "corpus/$target" -max_total_time="$SECONDS_EACH" \
        -max_len=65536 -len_control=0 -timeout=10 -detect_leaks=$leaks \
        -rss_limit_mb=4096 -artifact_prefix="crashes/$target/" -print_final_stats=1 2>&1 \
        | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==|SUMMARY|.*Fatal error|.*Precondition|artifact_prefix|Test unit written)" \
        || true
done
ls -l crashes/*/ 2>/dev/null || true
