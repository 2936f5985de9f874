import Foundation
import IndexBuilder
import Observability
import SegmentStore

/// Writes events to an on-disk store, reopens it and times the rebuild from segments.
///
/// The store lives in a temporary directory removed afterwards, or in `keptDirectory`, which is
/// kept, and reused without writing when it already holds the events (writing ten million takes
/// minutes).
struct StoreScenario {
    let events: Int
    var keptDirectory: String?
    var verbose = false

    func run() {
        print("== on-disk store, \(events) events ==")
        let directory = keptDirectory ?? NSTemporaryDirectory() + "index-benchmark-\(getpid())"
        defer { if keptDirectory == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var generator = SyntheticEvents(seed: 42)
        let (_, writing) = Measure.seconds {
            let store = try! EventStore.open(StoreOptions(directory: directory))
            var written = Int(store.lastDurableSequence)
            while written < events {
                let count = min(8192, events - written)
                _ = try! store.append((0..<count).map { _ in generator.nextStored() })
                written += count
            }
            store.close()
        }
        print(String(format: "wrote the store in %.1f s", writing))
        var options = StoreOptions(directory: directory)
        options.readOnly = true
        let store = try! EventStore.open(options)
        let logger = Logger(label: "index-benchmark", level: verbose ? .debug : .warning)
        let startCPU = Measure.processCPUSeconds()
        let (index, seconds) = Measure.seconds {
            try! EventIndex.rebuild(from: store, followWrites: false, logger: logger)
        }
        let cpu = Measure.processCPUSeconds() - startCPU
        print(
            String(
                format: "rebuild from segments: %.2f s wall, %.2f s CPU (all threads): %.2f M events/s (%d events)",
                seconds, cpu, Double(events) / seconds / 1e6, index.snapshot().eventCount))
        store.close()
    }
}
