import Foundation
import IndexBuilder
import Observability
import SegmentStore

/// Writes events to a temporary on-disk store, reopens it and times the rebuild from segments.
struct StoreScenario {
    let events: Int

    func run() {
        print("== on-disk store, \(events) events ==")
        let directory = NSTemporaryDirectory() + "index-benchmark-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var generator = SyntheticEvents(seed: 42)
        let (_, writing) = Measure.seconds {
            let store = try! EventStore.open(StoreOptions(directory: directory))
            var written = 0
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
        let logger = Logger(label: "index-benchmark", level: .warning)
        let startCPU = Measure.threadCPUSeconds()
        let (index, seconds) = Measure.seconds {
            try! EventIndex.rebuild(from: store, followWrites: false, logger: logger)
        }
        let cpu = Measure.threadCPUSeconds() - startCPU
        print(
            String(
                format: "rebuild from segments: %.2f s wall, %.2f s CPU: %.2f M events/s wall, %.2f CPU (%d events)",
                seconds, cpu, Double(events) / seconds / 1e6, Double(events) / cpu / 1e6,
                index.snapshot().eventCount))
        store.close()
    }
}
