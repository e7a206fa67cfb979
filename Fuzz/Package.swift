// swift-tools-version: 6.0
// libFuzzer targets over what reads untrusted input: the parsers, and the coordinator's message handlers. Not part of the main build: run
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
        .executableTarget(
            name: "FuzzHandlers",
            dependencies: [
                "FuzzDriver", .product(name: "Coordinator", package: "distembed"),
                .product(name: "Core", package: "distembed"), .product(name: "Wire", package: "distembed"),
            ]),
    ]
)
