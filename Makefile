# The two commands a new user types: `make run` and `make test` (README.md).
SWIFT_FLAGS ?= -c release
BIN := .build/release/distembed
SPEC ?= experiments/exercise4.json
WORKERS ?= 2

.PHONY: deps build run test bench microbench clean

deps:
	@scripts/install-deps.sh

build: deps
	swift build $(SWIFT_FLAGS)

run: build
	$(BIN) run $(SPEC) --workers $(WORKERS)

test: build
	swift test $(SWIFT_FLAGS)

bench: build
	scripts/bench.py

# A separate package (Benchmarks/Package.swift), so the main build never fetches package-benchmark.
microbench: deps
	swift package --package-path Benchmarks benchmark

clean:
	rm -rf .build Benchmarks/.build
