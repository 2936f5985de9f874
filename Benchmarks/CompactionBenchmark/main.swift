import BenchmarkSupport
import Foundation
import SegmentStore

// Measures `segstore compact` on stores of realistic Bloodbank envelopes (EnvelopeFactory):
// compaction throughput, and the compression ratio before and after re-framing and LZ4 HC.
// Bounded: every run has a fixed event count. `--quick` runs a fifth of it.

let quick = CommandLine.arguments.contains("--quick")
let eventCount = quick ? 20_000 : 100_000

func temporaryDirectory() -> String {
    var template = Array((NSTemporaryDirectory() + "compaction-bench-XXXXXX").utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// A store written the way a daemon writes it under a given load.
struct Scenario {
    var name: String
    /// Frame size of the writer: 1 makes every event its own frame, as one-event group commits
    /// under light load do.
    var frameBytes: Int
    /// Segment size of the writer: small, as a store restarted often (or run with a small
    /// SEGMENT_BYTES) ends up with.
    var segmentBytes: Int
    var batch: Int
}

let scenarios = [
    Scenario(name: "light load: one event a commit, 8 MiB segments", frameBytes: 1, segmentBytes: 8 << 20, batch: 500),
    Scenario(
        name: "heavy load: 64 KiB frames, 8 MiB segments", frameBytes: 64 << 10, segmentBytes: 8 << 20, batch: 2_000),
]

print("compaction benchmark: \(eventCount) distinct EnvelopeFactory events a scenario (0.3-2 KiB bodies)")
for scenario in scenarios {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var options = StoreOptions(directory: directory)
    options.frameBytes = scenario.frameBytes
    options.segmentBytes = scenario.segmentBytes
    let store = try EventStore.open(options)
    var generator = SplitMix(seed: 11)
    var written = 0
    var sample: [UInt64] = []
    while written < eventCount {
        let count = min(scenario.batch, eventCount - written)
        let batch = (0..<count).map { EnvelopeFactory.make(number: written + $0, generator: &generator) }
        let durable = try store.append(batch)
        sample.append(durable.firstSequence)
        written += count
    }
    // A few events in a new active segment, as a running store has.
    store.close()
    let reopened = try EventStore.open(options)
    try reopened.append((0..<50).map { EnvelopeFactory.make(number: eventCount + $0, generator: &generator) })
    let expected = try reopened.events(at: sample)
    reopened.close()

    let before = try StoreVerifier.verify(directory: directory)
    let compactor = try StoreCompactor.open(CompactionOptions(directory: directory))
    let planStarted = now()
    let plan = try compactor.plan()
    let planSeconds = now() - planStarted
    let report = try compactor.run(plan)
    compactor.close()
    let verifyStarted = now()
    let after = try StoreVerifier.verify(directory: directory)
    let verifySeconds = now() - verifyStarted
    guard after.isIntact, after.eventCount == before.eventCount else {
        print("FAILED: the compacted store does not verify or lost events")
        exit(1)
    }
    let check = try EventStore.open(options)
    guard try check.events(at: sample) == expected else {
        print("FAILED: compacted events differ from the originals")
        exit(1)
    }
    check.close()

    let total = report.seconds + planSeconds
    print("")
    print(scenario.name)
    print(
        String(
            format: "  before: %d segments, %.1f MB, compression ratio %.2f", before.segments.count,
            Double(before.fileBytes) / 1e6, before.compressionRatio))
    print(
        String(
            format: "  after:  %d segments, %.1f MB, compression ratio %.2f (%.2fx smaller on disk)",
            after.segments.count, Double(after.fileBytes) / 1e6, after.compressionRatio,
            Double(before.fileBytes) / Double(after.fileBytes)))
    print(
        String(
            format: "  compaction: %.2f s (plan %.2f s), %.1f MB/s of raw events, %.1f MB/s of segment files read",
            total, planSeconds, Double(report.rawBytesRewritten) / 1e6 / total, Double(report.bytesRead) / 1e6 / total))
    print(String(format: "  verify after: %.2f s", verifySeconds))
}
