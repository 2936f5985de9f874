import BenchmarkSupport
import Foundation
import SegmentStore
import Synchronization

// Appends realistic Bloodbank envelopes through the group-commit writer and prints throughput,
// syncs, commit latency and bytes on disk; then compares framings. Bounded: every run has a fixed
// event count.

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let scale = quick ? 0.2 : 1.0
/// `--appenders N`: run only the throughput row with N appenders (and skip the paced run and the
/// framing table), for repeated measurements of one configuration.
let onlyAppenders = arguments.firstIndex(of: "--appenders").flatMap { index in
    index + 1 < arguments.count ? Int(arguments[index + 1]) : nil
}

func temporaryDirectory() -> String {
    var template = Array((NSTemporaryDirectory() + "store-bench-XXXXXX").utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

func directoryBytes(_ path: String) -> Int {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return names.filter { $0.hasSuffix(SegmentName.suffix) }.reduce(0) { total, name in
        total + ((try? FileManager.default.attributesOfItem(atPath: path + "/" + name)[.size] as? Int) ?? 0)
    }
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
}

/// CPU time of the whole process (user + system, all threads), in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

/// CPU seconds (user + system) of each of the process's threads, by thread id, from
/// `/proc/self/task/*/stat`.
func threadCPUSeconds() -> [String: Double] {
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var result: [String: Double] = [:]
    for thread in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(thread)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { continue }
        // Fields after the command name: state is field 3, utime field 14, stime field 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        result[thread] = (user + system) / ticks
    }
    return result
}

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

let pool = EnvelopeFactory.pool(count: 4096)

/// `--write-fixture DIR`: appends a fixed sequence of batches to a new store in DIR and keeps it,
/// so that two builds of the writer can be compared frame by frame (only the commit times and the
/// checksums over them may differ).
if let index = arguments.firstIndex(of: "--write-fixture"), index + 1 < arguments.count {
    let store = try EventStore.open(StoreOptions(directory: arguments[index + 1]))
    var number = 0
    for size in [1, 7, 500, 300, 1, 2_000, 64, 500, 3, 4_096, 90, 1] {
        // The pool's receipt times are the clock's: fix them, so that both builds write the same.
        _ = try store.append(
            (number..<(number + size)).map { number in
                var event = pool[number % pool.count]
                event.receivedAt = event.timestamp
                return event
            })
        number += size
    }
    store.close()
    exit(0)
}
let averageBody = Double(pool.reduce(0) { $0 + $1.original.body.count }) / Double(pool.count)
print(String(format: "envelopes: %d distinct, average body %.0f bytes (0.3-2 KiB mix)", pool.count, averageBody))

struct RunResult {
    var eventsPerSecond: Double
    var syncsPerSecond: Double
    var p50: Double
    var p99: Double
    var bytesPerEvent: Double
    var bodyBytesPerEvent: Double
    var eventsPerBatch: Double
    var cpuMicrosecondsPerEvent: Double
    /// The CPU share of the wall time of each thread that used more than 5% of it.
    var threadShares: [Double]
}

/// Runs `appenders` concurrent appenders, each with one event in flight: when its event is
/// durable, the completion records the commit latency and submits the appender's next event (as
/// the ingest consumer does with its deliveries). With `ratePerSecond`, a pacing thread releases
/// events at that arrival rate instead, and each is timed from its due time.
func run(appenders: Int, events total: Int, ratePerSecond: Double? = nil) throws -> RunResult {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store = try EventStore.open(StoreOptions(directory: directory))
    let batches = Atomic<Int>(0)
    store.addDurabilityObserver { _ in batches.add(1, ordering: .relaxed) }
    let latencies = Mutex<[Double]>([])
    latencies.withLock { $0.reserveCapacity(total) }
    let next = Atomic<Int>(0)
    let finished = DispatchSemaphore(value: 0)
    let completed = Atomic<Int>(0)
    let cpuStart = processCPUSeconds()
    let threadsStart = threadCPUSeconds()
    let start = now()

    @Sendable func record(_ submitted: Double, _ result: Result<DurableBatch, StoreError>) {
        if case .failure(let error) = result { fatalError("append failed: \(error)") }
        let latency = (now() - submitted) * 1000
        latencies.withLock { $0.append(latency) }
        if completed.add(1, ordering: .relaxed).newValue == total { finished.signal() }
    }

    @Sendable func appendNext() {
        let number = next.add(1, ordering: .relaxed).oldValue
        guard number < total else { return }
        let submitted = now()
        store.submit([pool[number % pool.count]]) { result in
            record(submitted, result)
            appendNext()
        }
    }

    if let ratePerSecond {
        let pacer = Thread {
            for number in 0..<total {
                let due = start + Double(number) / ratePerSecond
                let wait = due - now()
                if wait > 0 { usleep(useconds_t(wait * 1e6)) }
                store.submit([pool[number % pool.count]]) { result in record(due, result) }
            }
        }
        pacer.start()
    } else {
        for _ in 0..<appenders { appendNext() }
    }
    finished.wait()
    let elapsed = now() - start
    let cpuSeconds = processCPUSeconds() - cpuStart
    let threadShares = threadCPUSeconds().map { thread, seconds in (seconds - (threadsStart[thread] ?? 0)) / elapsed }
        .filter { $0 > 0.05 }.sorted(by: >)
    store.close()
    let sorted = latencies.withLock { $0 }.sorted()
    let bytes = directoryBytes(directory)
    let bodyBytes = (0..<total).reduce(0) { $0 + pool[$1 % pool.count].original.body.count }
    let syncs = batches.load(ordering: .relaxed)
    return RunResult(
        eventsPerSecond: Double(total) / elapsed, syncsPerSecond: Double(syncs) / elapsed,
        p50: percentile(sorted, 0.50), p99: percentile(sorted, 0.99), bytesPerEvent: Double(bytes) / Double(total),
        bodyBytesPerEvent: Double(bodyBytes) / Double(total), eventsPerBatch: Double(total) / Double(max(1, syncs)),
        cpuMicrosecondsPerEvent: cpuSeconds / Double(total) * 1e6, threadShares: threadShares)
}

let rows = [(1, Int(4_000 * scale)), (16, Int(40_000 * scale)), (256, Int(300_000 * scale))]
let selectedRows = onlyAppenders.map { count in [(count, rows.first { $0.0 == count }?.1 ?? Int(300_000 * scale))] }

print("")
print(
    "appenders  events      events/s   syncs/s  events/sync  commit p50 ms  commit p99 ms  disk B/event  disk/body"
        + "  CPU µs/event")
for (appenders, events) in selectedRows ?? rows {
    let result = try run(appenders: appenders, events: events)
    print(
        String(
            format: "%9d  %6d  %12.0f  %8.0f  %11.1f  %13.3f  %13.3f  %12.0f  %8.1f%%  %12.2f", appenders, events,
            result.eventsPerSecond, result.syncsPerSecond, result.eventsPerBatch, result.p50, result.p99,
            result.bytesPerEvent, result.bytesPerEvent / result.bodyBytesPerEvent * 100,
            result.cpuMicrosecondsPerEvent))
    if onlyAppenders != nil {
        print(
            "busiest threads, CPU share of the run: "
                + result.threadShares.map { String(format: "%.0f%%", $0 * 100) }
                .joined(separator: ", "))
    }
}
if onlyAppenders != nil { exit(0) }

let paced = try run(appenders: 1, events: Int(5_000 * scale), ratePerSecond: 1_000)
print(
    String(
        format: "\npaced arrivals at 1,000 events/s: commit p50 %.3f ms, p99 %.3f ms, %.0f syncs/s",
        paced.p50, paced.p99, paced.syncsPerSecond))

// Framing: one event per frame against batches of about 64 KiB, same events.
print("\nframing            disk B/event  disk/body  random read µs (cold frame)  sequential read µs/event")
for (label, frameBytes) in [("one event a frame", 1), ("64 KiB frames", 64 << 10), ("16 KiB frames", 16 << 10)] {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var options = StoreOptions(directory: directory)
    options.frameBytes = frameBytes
    options.frameCacheCapacity = 1
    let count = Int(20_000 * scale)
    do {
        let store = try EventStore.open(options)
        var number = 0
        while number < count {
            let events = (number..<min(count, number + 500)).map { pool[$0 % pool.count] }
            try store.append(events)
            number += events.count
        }
        store.close()
    }
    let store = try EventStore.open(options)
    var generator = SystemRandomNumberGenerator()
    let reads = 2_000
    let randomStart = now()
    for _ in 0..<reads {
        _ = try store.event(at: UInt64.random(in: 1...UInt64(count), using: &generator))
    }
    let randomMicros = (now() - randomStart) / Double(reads) * 1e6
    let sequentialStart = now()
    _ = try store.events(at: Array(1...UInt64(count)))
    let sequentialMicros = (now() - sequentialStart) / Double(count) * 1e6
    store.close()
    let bytes = Double(directoryBytes(directory)) / Double(count)
    let body = Double((0..<count).reduce(0) { $0 + pool[$1 % pool.count].original.body.count }) / Double(count)
    print(
        String(
            format: "%@  %12.0f  %8.1f%%  %27.1f  %24.2f", label.padding(toLength: 17, withPad: " ", startingAt: 0),
            bytes, bytes / body * 100, randomMicros, sequentialMicros))
}
