// swift-tools-version: 6.0
import PackageDescription

/// `DISTEMBED_BASELINE_X86_64=1` builds for any x86-64 CPU, without AVX2 or FMA instructions: `make
/// verify-portable` proves with it that such a build trains to the same bits.
let baselineBuild = Context.environment["DISTEMBED_BASELINE_X86_64"] == "1"

/// Swift SIMD code is only fast when the compiler may use AVX2 and FMA (without, a library call per lane). The C
/// kernels give the same bits whatever the instruction set (each picks its vector path at run time); AVX2 here
/// only speeds up the plain loops. No fused multiply-adds in C unless written out (they would change the bits),
/// and no errno from sqrtf, so it vectorizes.
#if arch(x86_64)
let simdSwiftSettings: [SwiftSetting] = baselineBuild ? [] : [.unsafeFlags(["-target-cpu", "haswell"])]
let simdCSettings: [CSetting] = [
    .unsafeFlags((baselineBuild ? [] : ["-mavx2", "-mfma"]) + ["-O3", "-ffp-contract=off", "-fno-math-errno"]),
]
#else
let simdSwiftSettings: [SwiftSetting] = []
let simdCSettings: [CSetting] = [.unsafeFlags(["-O3", "-ffp-contract=off", "-fno-math-errno"])]
#endif

let package = Package(
    name: "distembed",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "distembed", targets: ["distembed"]),
        .library(name: "Core", targets: ["Core"]),
        .library(name: "Wire", targets: ["Wire"]),
        // For the micro-benchmarks (Benchmarks/), which time the same parts as `distembed debug kernels`.
        .library(name: "KernelBenchmarks", targets: ["KernelBenchmarks"]),
        // For the handler fuzzer (Fuzz/), which drives a coordinator in process.
        .library(name: "Coordinator", targets: ["Coordinator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // C libraries from Debian, through pkg-config.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // `.npz` datasets are zip archives.
        .systemLibrary(name: "CZip", pkgConfig: "libzip", providers: [.apt(["libzip-dev"])]),
        // XXH64, the replica check's digest of the weights.
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        // glibc's <malloc.h>, for mallopt. Not named CSystem: swift-system has a target of that name, and
        // target names must be unique in a package graph (Benchmarks/ depends on both).
        .systemLibrary(name: "CMalloc"),
        // Linux threads: SCHED_BATCH, a thread's nice value, name and CPU affinity (they need _GNU_SOURCE).
        // Linux only; Worker and Coordinator do without it elsewhere.
        .target(name: "CLinuxScheduling"),
        // The shared-memory mailboxes' word: acquire/release loads and stores, and the futex (a raw syscall) that
        // the coordinator and the workers sleep on. Linux only; Wire does without it elsewhere.
        .target(name: "CSharedFutex"),
        // The training path's arithmetic: portable kernels that give the same bits on every CPU (matrix products
        // with a path per instruction set chosen at run time, the layers' passes, exp and log, Adam).
        .target(name: "CKernels", cSettings: simdCSettings),
        // The protoc-c output for Sources/Wire/Proto/distembed.proto (regenerate with scripts/gen-proto.sh).
        .target(name: "CDistEmbedProto", dependencies: ["CProtobufC"]),

        .target(
            name: "Core",
            dependencies: [
                "CZlib", "CZip", "CXXHash", "CMalloc", "CKernels",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: simdSwiftSettings
        ),
        .target(
            name: "Wire",
            dependencies: [
                "CZeroMQ", "CDistEmbedProto", "CProtobufC",
                .target(name: "CSharedFutex", condition: .when(platforms: [.linux])),
            ],
            exclude: ["Proto"],
            swiftSettings: simdSwiftSettings
        ),
        .target(
            name: "Coordinator",
            dependencies: [
                "Core", "Wire",
                .product(name: "Logging", package: "swift-log"),
                .target(name: "CLinuxScheduling", condition: .when(platforms: [.linux])),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: simdSwiftSettings
        ),
        .target(
            name: "Worker",
            dependencies: [
                "Core", "Wire", .product(name: "Logging", package: "swift-log"),
                .target(name: "CLinuxScheduling", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: simdSwiftSettings
        ),
        // The HTML report of a run or a sweep (curves, losses, embeddings; SVG drawn here): only the CLI writes it.
        .target(name: "Report", dependencies: ["Core"]),
        // `distembed debug kernels` and the micro-benchmarks: the step's parts timed against the FMA peak.
        .target(name: "KernelBenchmarks", dependencies: ["Core", "CKernels"], swiftSettings: simdSwiftSettings),
        .executableTarget(
            name: "distembed",
            dependencies: [
                "Core", "Wire", "Coordinator", "Worker", "Report", "KernelBenchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: simdSwiftSettings
        ),
        // CZip: the tests write `.npz` fixtures.
        .testTarget(name: "CoreTests", dependencies: ["Core", "CKernels", "CZip"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Core"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Core"]),
        .testTarget(
            name: "CoordinatorTests",
            dependencies: [
                "Coordinator", "Core", "Wire", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "Core", "Wire"]),
        .testTarget(name: "DistEmbedTests", dependencies: ["Core", "Wire"]),
    ]
)
