// swift-tools-version: 6.1
import PackageDescription

/// Micro-benchmarks of the step's parts with package-benchmark (`make microbench`). A package of its own, so the
/// main package and CI never fetch or build the benchmark harness.
///
/// Only the `MallocInterposer` trait is enabled: the default `RuntimeInterposer` trait needs
/// swift-runtime-interposer, which the offline package mirror does not hold.
let package = Package(
    name: "DistEmbedBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "distembed", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DistEmbedBenchmarks",
            dependencies: [
                .product(name: "Core", package: "distembed"),
                .product(name: "Wire", package: "distembed"),
                .product(name: "KernelBenchmarks", package: "distembed"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/DistEmbedBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
