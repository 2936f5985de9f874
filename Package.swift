// swift-tools-version:6.0
import PackageDescription

/// Candystore: the audit-trail store of the Bloodbank event bus.
///
/// Module layering, from the bottom up: the C wrappers (`CLZ4`, `CXXHash`, `CRabbitMQ`,
/// `CMicroHTTPD`), `SegmentStore`, `IndexBuilder`, then `Ingest` and `QueryServer`, then the
/// executables. Nothing depends on a module above it.
let package = Package(
    name: "candystore",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "candystore", targets: ["candystore"]),
        .executable(name: "segstore", targets: ["segstore"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            path: "Sources/CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .systemLibrary(
            name: "CXXHash",
            path: "Sources/CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),
        .systemLibrary(
            name: "CRabbitMQ",
            path: "Sources/CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            path: "Sources/CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .target(name: "Observability"),
        .target(name: "SegmentStore", dependencies: ["CLZ4", "CXXHash", "Observability"]),
        .target(name: "IndexBuilder", dependencies: ["SegmentStore", "Observability"]),
        .target(name: "Ingest", dependencies: ["SegmentStore", "IndexBuilder", "Observability", "CRabbitMQ"]),
        .target(name: "QueryServer", dependencies: ["SegmentStore", "IndexBuilder", "Observability", "CMicroHTTPD"]),
        .target(
            name: "Daemon", dependencies: ["Observability", "SegmentStore", "IndexBuilder", "Ingest", "QueryServer"]),
        .executableTarget(name: "candystore", dependencies: ["Daemon"]),
        .executableTarget(name: "segstore", dependencies: ["SegmentStore", "IndexBuilder"]),
        .target(name: "BenchmarkSupport", dependencies: ["SegmentStore"], path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(
            name: "StoreBenchmark",
            dependencies: ["SegmentStore", "BenchmarkSupport"],
            path: "Benchmarks/StoreBenchmark"
        ),
        .executableTarget(
            name: "IngestBenchmark",
            dependencies: ["Ingest", "SegmentStore"],
            path: "Benchmarks/IngestBenchmark"
        ),
        .executableTarget(
            name: "IndexBenchmark",
            dependencies: ["IndexBuilder", "SegmentStore", "Observability"],
            path: "Benchmarks/IndexBenchmark"
        ),
        .executableTarget(
            name: "CompactionBenchmark",
            dependencies: ["SegmentStore", "BenchmarkSupport"],
            path: "Benchmarks/CompactionBenchmark"
        ),
        .executableTarget(
            name: "APIBenchmark",
            dependencies: ["Ingest", "SegmentStore"],
            path: "Benchmarks/APIBenchmark"
        ),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability"]),
        .testTarget(name: "SegmentStoreTests", dependencies: ["SegmentStore"]),
        .testTarget(name: "IndexBuilderTests", dependencies: ["IndexBuilder", "SegmentStore"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "SegmentStore", "IndexBuilder"]),
        .testTarget(name: "QueryServerTests", dependencies: ["QueryServer", "SegmentStore", "IndexBuilder"]),
        .testTarget(
            name: "DaemonTests", dependencies: ["Daemon", "Ingest", "IndexBuilder", "QueryServer", "SegmentStore"]),
    ],
    swiftLanguageModes: [.v6]
)
