// swift-tools-version:6.0
import PackageDescription

/// Candystore: the audit-trail store of the Bloodbank event bus.
///
/// Module layering, from the bottom up: the C wrappers (`CLZ4`, `CXXHash`, `CMicroHTTPD`),
/// `Observability`, `SegmentStore`, `QueryServer`, `Daemon`, then the executables. Nothing depends
/// on a module above it.
let package = Package(
    name: "candystore",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "segstore", targets: ["segstore"])
    ],
    targets: [
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(
            name: "CXXHash", path: "Sources/CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", path: "Sources/CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        .target(name: "Observability"),
        .target(name: "SegmentStore", dependencies: ["CLZ4", "CXXHash", "Observability"]),
        .target(name: "QueryServer", dependencies: ["SegmentStore", "Observability", "CMicroHTTPD"]),
        .target(name: "Daemon", dependencies: ["Observability", "SegmentStore", "QueryServer"]),
        .executableTarget(name: "segstore", dependencies: ["SegmentStore"]),
        .executableTarget(name: "StoreBenchmark", dependencies: ["SegmentStore"], path: "Benchmarks/StoreBenchmark"),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability"]),
        .testTarget(name: "SegmentStoreTests", dependencies: ["SegmentStore"]),
        .testTarget(name: "QueryServerTests", dependencies: ["QueryServer", "SegmentStore"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon"]),
    ],
    swiftLanguageModes: [.v6]
)
