// Ingest end to end against a real broker: how fast events go from publish to
// acknowledged-after-durable, compared with what the broker delivers to a consumer that does
// nothing, and the storage latency (received to durable) at a steady 1,000 events/s and at the
// highest rate this machine sustains.
//
//   swift run -c release IngestBenchmark [--url amqp://guest:guest@127.0.0.1:5672/]
//       [--events 100000] [--paced-seconds 10] [--prefetch 100] [--batch 50] [--rates 1000,4000,8000]
//       [--scenarios drain,live,paced] [--rounds 50]
//
// `--scenarios normalise` runs only the normaliser over every body shape, `--rounds` times (no broker
// needed).
//
// The broker must be running (scripts/broker.sh start). Every run uses its own exchange, queue and
// temporary data directory and removes them afterwards.
import Foundation
import Ingest
import SegmentStore

struct Settings {
    var url = "amqp://guest:guest@127.0.0.1:5672/"
    var events = 100_000
    var pacedSeconds = 10
    var prefetch: UInt16 = 100
    var batch = 50
    var rates = [1_000, 4_000, 8_000]
    var scenarios: Set<String> = ["drain", "live", "paced"]
    var rounds = 50

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw BenchError(message: "\(flag) needs a value") }
            switch flag {
            case "--url": url = value
            case "--events": events = Int(value) ?? events
            case "--paced-seconds": pacedSeconds = Int(value) ?? pacedSeconds
            case "--prefetch": prefetch = UInt16(value) ?? prefetch
            case "--batch": batch = Int(value) ?? batch
            case "--rates": rates = value.split(separator: ",").compactMap { Int($0) }
            case "--scenarios": scenarios = Set(value.split(separator: ",").map(String.init))
            case "--rounds": rounds = Int(value) ?? rounds
            default: throw BenchError(message: "unknown option \(flag)")
            }
        }
    }
}

/// A body like the ones Bloodbank carries: an EventEnvelope of about 850 bytes.
func eventBody(_ run: String, _ number: Int) -> [UInt8] {
    let filler = String(repeating: "lorem ipsum dolor sit amet ", count: 16)
    let text = """
        {"event_id":"\(run)-\(number)","event_type":"transcription.voice.completed",\
        "timestamp":"2026-01-27T10:30:00.123456Z","version":"1.0.0",\
        "source":{"host":"studio-mac","type":"manual","app":"whisperlivekit","meta":null},\
        "correlation_ids":["9b2e7c44-0d7a-4f0e-8c1b-5a6d3e2f1a00"],\
        "agent_context":{"type":"claude-code","name":"tonny","instance_id":"session-\(number % 50)"},\
        "payload":{"text":"\(filler)","confidence":0.95,"sequence":\(number)}}
        """
    return Array(text.utf8)
}

/// One exchange and queue for one measurement, deleted by `remove()`.
struct Topology {
    let url: AMQPURL
    let exchange: String
    let queue: String

    init(url: AMQPURL, label: String) throws {
        self.url = url
        let suffix = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        exchange = "candystore-bench-\(label)-\(suffix)"
        queue = "candystore-bench-\(label)-\(suffix)"
        let connection = try AMQPConnection.connect(to: url)
        defer { connection.close() }
        try connection.declareExchange(exchange)
        try connection.declareQueue(queue)
        try connection.bindQueue(queue, to: exchange)
    }

    func remove() {
        guard let connection = try? AMQPConnection.connect(to: url) else { return }
        try? connection.deleteQueue(queue)
        try? connection.deleteExchange(exchange)
        connection.close()
    }
}

/// A fresh store, quarantine log and consumer in a temporary directory.
final class IngestRig {
    let directory: String
    let store: EventStore
    let quarantine: QuarantineLog
    let consumer: IngestConsumer
    let latencies = LatencyRecorder()

    init(topology: Topology, settings: Settings) throws {
        directory = NSTemporaryDirectory() + "candystore-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        store = try EventStore.open(StoreOptions(directory: directory + "/events"))
        quarantine = try QuarantineLog(directory: QuarantineLog.directory(inDataDirectory: directory))
        let ids = try StoredIDSet(tracking: store)
        var configuration = IngestConfiguration(rabbitURL: topology.url)
        configuration.exchangeName = topology.exchange
        configuration.queueName = topology.queue
        configuration.prefetchCount = settings.prefetch
        configuration.batchSize = settings.batch
        consumer = IngestConsumer(
            configuration: configuration, store: store, quarantine: quarantine, isStored: { ids.contains($0) },
            metrics: latencies)
    }

    var acknowledged: Int { consumer.statistics.acknowledged }

    func close() {
        consumer.stop()
        store.close()
        quarantine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Waits until `count()` reaches `target`; returns the seconds since `start`.
func waitFor(
    _ target: Int, since start: ContinuousClock.Instant, limit: Duration = .seconds(600), _ count: () -> Int
)
    throws -> Double
{
    let deadline = start + limit
    while count() < target {
        guard ContinuousClock.now < deadline else {
            throw BenchError(message: "only \(count()) of \(target) acknowledged within \(limit)")
        }
        Thread.sleep(forTimeInterval: 0.002)
    }
    return (ContinuousClock.now - start).inSeconds
}

/// CPU seconds used so far by each thread of this process, by thread name.
func threadCPU() -> [String: Double] {
    var result: [String: Double] = [:]
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    for task in tasks {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"), let open = stat.firstIndex(of: "(")
        else { continue }
        let name = String(stat[stat.index(after: open)..<close])
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        result[name, default: 0] += (user + system) / ticks
    }
    return result
}

/// The CPU each thread used between two `threadCPU()` readings, per 1,000 events.
func cpuReport(_ before: [String: Double], _ after: [String: Double], events: Int) -> String {
    after.compactMap { name, seconds -> (String, Double)? in
        let used = seconds - (before[name] ?? 0)
        return used > 0.005 ? (name, used) : nil
    }
    .sorted { $0.1 > $1.1 }
    .map { String(format: "%@ %.0f µs", $0.0, $0.1 * 1e6 / Double(events)) }
    .joined(separator: ", ")
}

/// Context switches of every thread of this process so far.
func contextSwitches() -> Int {
    var total = 0
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    for task in tasks {
        guard let status = try? String(contentsOfFile: "/proc/self/task/\(task)/status", encoding: .utf8) else {
            continue
        }
        for line in status.split(separator: "\n")
        where line.hasSuffix("ctxt_switches") == false
            && line.contains("ctxt_switches")
        {
            total += Int(line.split(separator: "\t").last.map(String.init) ?? "") ?? 0
        }
    }
    return total
}

/// CPU time the calling thread has used, in seconds.
func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func rate(_ count: Int, _ seconds: Double) -> String {
    String(format: "%8.0f events/s", Double(count) / seconds)
}

func milliseconds(_ values: [Double]) -> String {
    values.map { String(format: "%.2f", $0) }.joined(separator: " / ")
}

let settings = try Settings(arguments: CommandLine.arguments)
if settings.scenarios.contains("normalise") {
    NormalizeBenchmark.run(rounds: settings.rounds)
    exit(0)
}
let url = try AMQPURL(parsing: settings.url)
let run = "bench-\(getpid())"
let count = settings.events
print(
    "IngestBenchmark: \(count) events of \(eventBody(run, 0).count) bytes, prefetch \(settings.prefetch), "
        + "batch \(settings.batch), broker \(url)")

// 1. Draining a full queue: the broker alone, then the real consumer into a store.
if settings.scenarios.contains("drain") {
    let baselineTopology = try Topology(url: url, label: "drain-baseline")
    let publishSeconds = try BenchPublisher(
        url: url, exchange: baselineTopology.exchange, count: count, perSecond: nil
    ) { eventBody(run + "-a", $0) }.wait()
    print("publish with confirms (queue filling)      \(rate(count, publishSeconds))")
    let start = ContinuousClock.now
    let baseline = BaselineConsumer(
        url: url, queue: baselineTopology.queue, prefetch: settings.prefetch, batchSize: settings.batch)
    let baselineSeconds = try waitFor(count, since: start) { baseline.count }
    baseline.stop()
    baselineTopology.remove()
    print("drain, broker only (ack multiple, no store) \(rate(count, baselineSeconds))")

    let topology = try Topology(url: url, label: "drain-ingest")
    _ = try BenchPublisher(url: url, exchange: topology.exchange, count: count, perSecond: nil) {
        eventBody(run + "-b", $0)
    }.wait()
    let rig = try IngestRig(topology: topology, settings: settings)
    let cpuBefore = threadCPU()
    let switchesBefore = contextSwitches()
    let ingestStart = ContinuousClock.now
    rig.consumer.start()
    let ingestSeconds = try waitFor(count, since: ingestStart) { rig.acknowledged }
    print(
        "  CPU per event: " + cpuReport(cpuBefore, threadCPU(), events: count)
            + String(
                format: ", context switches per event %.2f", Double(contextSwitches() - switchesBefore) / Double(count))
    )
    let latency = rig.latencies.percentiles([50, 99])
    print(
        "drain, ingest into the store (ack durable)  \(rate(count, ingestSeconds))"
            + String(format: "  (%.0f%% of broker only)", 100 * baselineSeconds / ingestSeconds)
            + "  storage latency p50/p99 \(milliseconds(latency)) ms")
    rig.close()
    topology.remove()
}

// 2. Publishing and consuming at once, unpaced: end to end, publish to acknowledged.
if settings.scenarios.contains("live") {
    let baselineTopology = try Topology(url: url, label: "live-baseline")
    let baseline = BaselineConsumer(
        url: url, queue: baselineTopology.queue, prefetch: settings.prefetch, batchSize: settings.batch)
    let start = ContinuousClock.now
    let publisher = BenchPublisher(url: url, exchange: baselineTopology.exchange, count: count, perSecond: nil) {
        eventBody(run + "-c", $0)
    }
    let baselineSeconds = try waitFor(count, since: start) { baseline.count }
    _ = try publisher.wait()
    baseline.stop()
    baselineTopology.remove()
    print("live, broker only, publish to ack          \(rate(count, baselineSeconds))")

    let topology = try Topology(url: url, label: "live-ingest")
    let rig = try IngestRig(topology: topology, settings: settings)
    rig.consumer.start()
    _ = try waitFor(1, since: .now, limit: .seconds(30)) { rig.consumer.statistics.isConsuming ? 1 : 0 }
    let ingestStart = ContinuousClock.now
    let ingestPublisher = BenchPublisher(url: url, exchange: topology.exchange, count: count, perSecond: nil) {
        eventBody(run + "-d", $0)
    }
    let ingestSeconds = try waitFor(count, since: ingestStart) { rig.acknowledged }
    _ = try ingestPublisher.wait()
    let latency = rig.latencies.percentiles([50, 99, 99.9])
    print(
        "live, ingest, publish to ack-after-durable \(rate(count, ingestSeconds))"
            + String(format: "  (%.0f%% of broker only)", 100 * baselineSeconds / ingestSeconds)
            + "  storage latency p50/p99/p99.9 \(milliseconds(latency)) ms")
    rig.close()
    topology.remove()
}

// 3. Steady rates: storage latency while the consumer keeps up.
for perSecond in settings.rates where settings.scenarios.contains("paced") {
    let topology = try Topology(url: url, label: "paced-\(perSecond)")
    let rig = try IngestRig(topology: topology, settings: settings)
    rig.consumer.start()
    _ = try waitFor(1, since: .now, limit: .seconds(30)) { rig.consumer.statistics.isConsuming ? 1 : 0 }
    let total = perSecond * settings.pacedSeconds
    let start = ContinuousClock.now
    let publisher = BenchPublisher(url: url, exchange: topology.exchange, count: total, perSecond: perSecond) {
        eventBody(run + "-p\(perSecond)", $0)
    }
    let publishSeconds = try publisher.wait()
    let seconds = try waitFor(total, since: start) { rig.acknowledged }
    let latency = rig.latencies.percentiles([50, 99, 99.9, 100])
    let lag = seconds - publishSeconds
    print(
        String(
            format: "paced %6d/s for %ds: %7.0f events/s acknowledged, last ack %.3f s after last confirm",
            perSecond, settings.pacedSeconds, Double(total) / seconds, lag)
            + "  storage latency p50/p99/p99.9/max \(milliseconds(latency)) ms")
    rig.close()
    topology.remove()
}

// 4. The consumer's own parts, without the broker: normalising, and the store's group commit.
if settings.scenarios.contains("parts") {
    let bodies = (0..<20_000).map { eventBody(run + "-n", $0) }
    let normalizer = EnvelopeNormalizer()
    let received = EventTimestamp.now()
    let properties = AMQPMessageProperties.persistentJSON()
    let propertiesJSON = properties.jsonBytes
    var events: [StoredEvent] = []
    events.reserveCapacity(bodies.count)
    let start = ContinuousClock.now
    let cpuStart = threadCPUSeconds()
    for body in bodies {
        let message = IncomingMessage(
            body: body, routingKey: "bench.event", exchange: "bench", properties: properties,
            propertiesJSON: propertiesJSON, receivedAt: received)
        if case .event(let event, _) = normalizer.normalize(message) { events.append(event) }
    }
    let normalizeSeconds = (ContinuousClock.now - start).inSeconds
    let normalizeCPU = threadCPUSeconds() - cpuStart
    print(
        String(
            format: "normalise                                  %8.0f events/s  (%.2f µs CPU each)",
            Double(bodies.count) / normalizeSeconds, normalizeCPU * 1e6 / Double(bodies.count)))
    guard !settings.scenarios.contains("normalise-only") else { exit(0) }

    let directory = NSTemporaryDirectory() + "candystore-bench-store-\(getpid())"
    let store = try EventStore.open(StoreOptions(directory: directory))
    let done = DispatchSemaphore(value: 0)
    let storeStart = ContinuousClock.now
    let batches = stride(from: 0, to: events.count, by: settings.batch).map {
        Array(events[$0..<min($0 + settings.batch, events.count)])
    }
    for batch in batches {
        store.submit(batch) { _ in done.signal() }
    }
    for _ in batches { done.wait() }
    let storeSeconds = (ContinuousClock.now - storeStart).inSeconds
    print("store, submit batches of \(settings.batch), all durable    \(rate(events.count, storeSeconds))")
    store.close()
    try? FileManager.default.removeItem(atPath: directory)
}
