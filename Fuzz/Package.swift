// swift-tools-version: 6.0
// libFuzzer targets over the parsers that read untrusted input. Not part of the main build: run
// `scripts/fuzz.sh` (it builds with `-sanitize=fuzzer,address -parse-as-library`, so every Swift target of the
// dependency graph is instrumented for coverage and checked by AddressSanitizer).
import PackageDescription

let package = Package(
    name: "DistEmbedFuzz",
    dependencies: [.package(name: "distembed", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "FuzzCodec", dependencies: ["FuzzDriver", .product(name: "Wire", package: "distembed")]),
        .executableTarget(
            name: "FuzzSpec", dependencies: ["FuzzDriver", .product(name: "Core", package: "distembed")]),
    ]
)
