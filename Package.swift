// swift-tools-version:6.0
import PackageDescription

/// Candystore: the audit-trail store of the Bloodbank event bus.
///
/// Module layering, from the bottom up: the C wrappers (`CLZ4`, `CXXHash`), `Observability`,
/// `SegmentStore`, then the executables. Nothing depends on a module above it.
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
        .target(name: "Observability"),
        .target(name: "SegmentStore", dependencies: ["CLZ4", "CXXHash", "Observability"]),
        .executableTarget(name: "segstore", dependencies: ["SegmentStore"]),
        .executableTarget(name: "StoreBenchmark", dependencies: ["SegmentStore"], path: "Benchmarks/StoreBenchmark"),
        .testTarget(name: "SegmentStoreTests", dependencies: ["SegmentStore"]),
    ],
    swiftLanguageModes: [.v6]
)
