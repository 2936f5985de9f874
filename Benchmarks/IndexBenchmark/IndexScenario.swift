import Foundation
import IndexBuilder
import Observability
import SegmentStore

/// Rebuild, memory and query latency at one store size.
struct IndexScenario {
    let size: Int
    let runs: Int
    let rebuildOnly: Bool
    let verbose: Bool
    let only: String?

    func run() {
        print("== \(size) events ==")
        var generator = SyntheticEvents(seed: 42)
        let (events, generation) = Measure.seconds { (0..<size).map { _ in generator.next() } }
        print(String(format: "generated synthetic indexed fields in %.1f s (not part of the rebuild)", generation))

        let before = Measure.residentBytes()
        var loader = IndexLoader(
            expectedEvents: size, logger: Logger(label: "index-benchmark", level: verbose ? .debug : .warning))
        let start = Measure.clock.now
        let startCPU = Measure.threadCPUSeconds()
        for event in events { try! loader.add(event) }
        let added = Measure.clock.now
        let index = loader.finish()
        let cpu = Measure.threadCPUSeconds() - startCPU
        let adding = Measure.seconds(added - start)
        let building = Measure.seconds(Measure.clock.now - added)
        let after = Measure.residentBytes()
        let wall = adding + building
        let phases = String(format: "%.2f s interning and columns, %.2f s sorting and bulk loads", adding, building)
        print(String(format: "rebuild: %.2f s wall (%@): %.2f M events/s", wall, phases, Double(size) / wall / 1e6))
        print(String(format: "rebuild: %.2f s thread CPU: %.2f M events/s on one core", cpu, Double(size) / cpu / 1e6))
        let usage = index.memoryUsage()
        print("memory (structures): \(usage)")
        print(String(format: "memory (RSS delta): %.1f bytes/event", Double(after - before) / Double(size)))

        if rebuildOnly {
            if verbose { measureLiveApply(index: index, generator: &generator) }
            return
        }
        QueryLatencies(events: events, index: index, runs: runs, only: only).report()
        guard only == nil else { return }
        measureLiveApply(index: index, generator: &generator)
    }

    /// Applies batches on top of the rebuilt index, as the store's writer thread would.
    private func measureLiveApply(index: EventIndex, generator: inout SyntheticEvents) {
        let batches = (0..<200).map { _ in (0..<500).map { _ in generator.next() } }
        let before = Measure.residentBytes()
        var held: [IndexSnapshot] = []
        let startCPU = Measure.threadCPUSeconds()
        let (_, seconds) = Measure.seconds {
            for batch in batches {
                try! index.apply(batch)
                held = [index.snapshot()]  // a reader holding the latest snapshot forces copy-on-write
            }
        }
        let cpu = Measure.threadCPUSeconds() - startCPU
        _ = held
        let applied = batches.count * 500
        let grown = Measure.residentBytes() - before
        print(
            String(
                format: "live apply: %d batches of 500 in %.2f s wall, %.2f s CPU: %.0f events/s wall, %.0f CPU "
                    + "(%.1f bytes/event of RSS growth)", batches.count, seconds, cpu, Double(applied) / seconds,
                Double(applied) / cpu, Double(grown) / Double(applied)))
        print("memory after live apply (structures): \(index.memoryUsage())")
        print("")
    }
}
