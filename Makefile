# The two commands a new user types: `make run` and `make test` (README.md).
SWIFT_FLAGS ?= -c release
BIN := .build/release/distembed
SPEC ?= experiments/exercise4.json
WORKERS ?= 2
# The exercise's weights hash: the same on every machine (README.md); `make run` says whether it got it.
EXERCISE_SHA256 := $(shell cat experiments/exercise4.sha256)

.PHONY: deps build run test bench bench-hosts soak microbench verify-portable clean

deps:
	@scripts/install-deps.sh

build: deps
	swift build $(SWIFT_FLAGS)

run: build
	$(BIN) run $(SPEC) --workers $(WORKERS) \
	  $(if $(filter experiments/exercise4.json,$(SPEC)),--expect-weights $(EXERCISE_SHA256))

test: build
	swift test $(SWIFT_FLAGS)

bench: build
	scripts/bench.py

# Training across emulated hosts (network namespaces, links shaped with tc), as root: Docs/Performance.md.
bench-hosts: build
	scripts/bench-hosts.py --binary $(BIN) $(BENCH_HOSTS_ARGS)

# The chaos soak (Docs/Testing.md): 20 minutes of faults by default, as root; `make soak SOAK_ARGS="--minutes 5 --seed 2"`.
soak: build
	scripts/soak.py --binary $(BIN) $(SOAK_ARGS)

# A separate package (Benchmarks/Package.swift), so the main build never fetches package-benchmark.
microbench: deps
	swift package --package-path Benchmarks benchmark

# Proves the kernels give the same bits on baseline x86-64 (fma in software) and on aarch64 (under qemu).
verify-portable: build
	scripts/verify-portable.sh

clean:
	rm -rf .build .build-baseline Benchmarks/.build
