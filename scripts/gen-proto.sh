#!/bin/sh
# Regenerates the protoc-c output for Sources/Wire/Proto/distembed.proto into Sources/CDistEmbedProto.
#
#   scripts/gen-proto.sh           write the generated C code into the C target
#   scripts/gen-proto.sh --check   exit 1 (and show the difference) when the committed code is out of date
#
# Needs protoc-c (Debian: apt-get install protobuf-c-compiler).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
proto_dir="$root/Sources/Wire/Proto"
target="$root/Sources/CDistEmbedProto"

if ! command -v protoc-c >/dev/null 2>&1; then
    echo "gen-proto.sh: protoc-c not found; install it with: apt-get install protobuf-c-compiler" >&2
    exit 2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
protoc-c --proto_path="$proto_dir" --c_out="$scratch" "$proto_dir/distembed.proto"

case "${1:-}" in
--check)
    status=0
    diff -u "$target/distembed.pb-c.c" "$scratch/distembed.pb-c.c" || status=1
    diff -u "$target/include/distembed.pb-c.h" "$scratch/distembed.pb-c.h" || status=1
    if [ "$status" -ne 0 ]; then
        echo "gen-proto.sh: Sources/CDistEmbedProto is out of date with distembed.proto;" \
            "run scripts/gen-proto.sh" >&2
    fi
    exit "$status"
    ;;
"")
    mkdir -p "$target/include"
    cp "$scratch/distembed.pb-c.c" "$target/distembed.pb-c.c"
    cp "$scratch/distembed.pb-c.h" "$target/include/distembed.pb-c.h"
    echo "gen-proto.sh: wrote Sources/CDistEmbedProto/distembed.pb-c.c and include/distembed.pb-c.h"
    ;;
*)
    echo "usage: scripts/gen-proto.sh [--check]" >&2
    exit 64
    ;;
esac
