// The HTTP API under load on a store of a million events, while ingest runs beside it.
//
//   swift build -c release --product APIBenchmark && swift build -c release --product candystore
//   .build/release/APIBenchmark [--url amqp://guest:guest@127.0.0.1:5672/] [--events 1000000]
//       [--data-dir DIR] [--keep-store] [--seconds 15] [--clients 1,4] [--paced 100] [--rate 1000]
//       [--max-requests 300000]
//
// Steps: write the synthetic events straight into a store (EventStore.append, batches of 1,000;
// skipped when --data-dir already holds them), start `candystore serve` on it (the release build
// beside this one), measure ingest alone at --rate events/s, then for each request kind run the
// HTTP load while ingest keeps publishing at the same rate: closed loops from each --clients
// count (as many requests as the server answers), then --paced requests a second from two
// threads. Requests go over kept-alive connections; latency is measured by the client, up to
// the last byte of the answer (from the due time for paced requests). The storage latency of
// the ingested events is read back from their `storage_latency_ms` through the API, and from the
// daemon's histogram.
//
// The broker must be running (scripts/broker.sh start). The run's exchange and queue are
// deleted afterwards, and the store too unless --keep-store.
import Foundation
import Ingest
import SegmentStore

struct Settings {
    var url = ProcessInfo.processInfo.environment["CANDYSTORE_BENCH_RABBIT_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/"
    var events = 1_000_000
    var dataDirectory = NSTemporaryDirectory() + "candystore-apibench-store"
    var keepStore = false
    var seconds = 15.0
    var clients = [1, 4]
    /// Requests a second of the paced runs (two client threads); 0 skips them.
    var pacedRate = 100
    var rate = 1_000
    var maxRequests = 300_000

    init(_ arguments: [String]) throws {
        var rest = arguments.dropFirst().makeIterator()
        while let flag = rest.next() {
            if flag == "--keep-store" {
                keepStore = true
                continue
            }
            guard let value = rest.next() else { throw BenchmarkError("\(flag) needs a value") }
            switch flag {
            case "--url": url = value
            case "--events": events = Int(value) ?? events
            case "--data-dir": dataDirectory = value
            case "--seconds": seconds = Double(value) ?? seconds
            case "--clients": clients = value.split(separator: ",").compactMap { Int($0) }
            case "--rate": rate = Int(value) ?? rate
            case "--paced": pacedRate = Int(value) ?? pacedRate
            case "--max-requests": maxRequests = Int(value) ?? maxRequests
            default: throw BenchmarkError("unknown option \(flag)")
            }
        }
    }
}

func say(_ text: String) {
    FileHandle.standardError.write(Data("apibench: \(text)\n".utf8))
}

/// The storage latency of one publisher's events, read back through the API once all are stored.
struct IngestFigures {
    var published: Int
    var stored: Int
    /// `storage_latency_ms` of the events: receipt until the writer started the batch.
    var latency: LatencySummary
    /// The upper bound of the bucket of `candystore_storage_latency_seconds` (receipt until
    /// durable) that holds the 99th percentile of the period, in ms.
    var histogramP99Bound: Double?
    /// The same for `candystore_fsync_duration_seconds`.
    var fsyncP99Bound: Double?
}

/// The upper bound (in ms) of the bucket that holds the 99th percentile of what a histogram
/// observed between two scrapes.
func p99Bound(before: [(Double, Double)], after: [(Double, Double)]) -> Double? {
    guard after.count == before.count, let total = after.last?.1, let totalBefore = before.last?.1 else { return nil }
    let count = total - totalBefore
    guard count > 0 else { return nil }
    for (index, bucket) in after.enumerated() where bucket.1 - before[index].1 >= 0.99 * count {
        return bucket.0 * 1_000
    }
    return nil
}

/// The buckets of histogram `name` (upper bound → cumulative count) from a scrape.
func histogramBuckets(
    metricsPort: UInt16, _ name: String = "candystore_storage_latency_seconds"
) throws -> [(Double, Double)] {
    let text = try fetchText(port: metricsPort, "/metrics")
    var buckets: [(Double, Double)] = []
    for line in text.split(separator: "\n") where line.hasPrefix(name + "_bucket{") {
        guard let open = line.range(of: "le=\""), let close = line[open.upperBound...].firstIndex(of: "\""),
            let value = line.split(separator: " ").last.flatMap({ Double($0) })
        else { continue }
        let bound = line[open.upperBound..<close]
        buckets.append((bound == "+Inf" ? .infinity : Double(bound) ?? .infinity, value))
    }
    return buckets
}

/// One GET on a fresh connection, answered in full, as text.
func fetchText(port: UInt16, _ target: String) throws -> String {
    String(decoding: try fetch(port: port, target), as: UTF8.self)
}

/// One GET on a fresh connection; the body.
func fetch(port: UInt16, _ target: String) throws -> [UInt8] {
    let reader = BodyReader(port: port)
    return try reader.get(target)
}

/// Like `KeepAliveClient`, but keeps the body: for the few requests whose answer is read.
final class BodyReader {
    private let port: UInt16

    init(port: UInt16) {
        self.port = port
    }

    func get(_ target: String) throws -> [UInt8] {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw BenchmarkError("cannot connect to port \(port)") }
        let request = Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256 * 1_024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: chunk[0..<count])
        }
        guard let end = received.firstRange(of: [13, 10, 13, 10]) else {
            throw BenchmarkError("no answer to GET \(target)")
        }
        let statusLine = String(decoding: received[..<end.lowerBound].prefix(40), as: UTF8.self)
        guard statusLine.contains(" 200 ") else { throw BenchmarkError("GET \(target): \(statusLine)") }
        return Array(received[end.upperBound...])
    }
}

/// Waits until every event of `publisher` is stored, then reads their storage latencies.
func ingestFigures(
    tag: String, published: Int, apiPort: UInt16, metricsPort: UInt16, latencyBefore: [(Double, Double)],
    fsyncBefore: [(Double, Double)]
) throws -> IngestFigures {
    var latencies: [Double] = []
    let deadline = Date().addingTimeInterval(120)
    var cursor: String?
    var stored = 0
    repeat {
        latencies.removeAll(keepingCapacity: true)
        cursor = nil
        repeat {
            var target = "/events?session_id=\(tag)&limit=1000"
            if let cursor {
                target += "&cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor)
            }
            let page = try JSONSerialization.jsonObject(with: Data(fetch(port: apiPort, target))) as? [String: Any]
            for event in page?["events"] as? [[String: Any]] ?? [] {
                if let latency = event["storage_latency_ms"] as? Double { latencies.append(latency) }
            }
            cursor = page?["next_cursor"] as? String
        } while cursor != nil
        stored = latencies.count
        if stored >= published { break }
        Thread.sleep(forTimeInterval: 0.2)
    } while Date() < deadline

    let latencyAfter = try histogramBuckets(metricsPort: metricsPort)
    let fsyncAfter = try histogramBuckets(metricsPort: metricsPort, "candystore_fsync_duration_seconds")
    return IngestFigures(
        published: published, stored: stored, latency: LatencySummary(latencies),
        histogramP99Bound: p99Bound(before: latencyBefore, after: latencyAfter),
        fsyncP99Bound: p99Bound(before: fsyncBefore, after: fsyncAfter))
}

func format(_ value: Double) -> String {
    value.isNaN ? "-" : (value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value))
}

func main() throws {
    let settings = try Settings(CommandLine.arguments)
    let url = try AMQPURL(parsing: settings.url)
    let run = "apibench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let exchange = run + "-exchange"
    let queue = run + "-queue"

    say("building a store of \(settings.events) events in \(settings.dataDirectory)")
    let generator = SyntheticEvents(count: settings.events, endingAt: EventTimestamp.now())
    let (storeEvents, buildSeconds) = try generator.build(directory: settings.dataDirectory)
    say(String(format: "store holds %d events (written in %.1f s)", storeEvents, buildSeconds))

    let logPath = settings.dataDirectory + ".daemon.log"
    try? FileManager.default.removeItem(atPath: logPath)
    let daemon = try DaemonRunner(
        settings: [
            "DATA_DIR": settings.dataDirectory, "API_HOST": "127.0.0.1", "API_PORT": "0", "METRICS_PORT": "0",
            "RABBIT_URL": settings.url, "EXCHANGE_NAME": exchange, "QUEUE_NAME": queue, "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        ], logPath: logPath)
    defer {
        let status = daemon.stop()
        say("daemon stopped with status \(status)")
        if let connection = try? AMQPConnection.connect(to: url) {
            try? connection.deleteQueue(queue)
            try? connection.deleteExchange(exchange)
            connection.close()
        }
        if !settings.keepStore { try? FileManager.default.removeItem(atPath: settings.dataDirectory) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
    try daemon.waitUntilReady(within: 300)
    say(String(format: "daemon ready; index rebuild took %.2f s", daemon.rebuildSeconds ?? -1))
    let apiPort = daemon.apiPort
    let metricsPort = daemon.metricsPort

    let total = storeEvents
    // Earlier runs on a kept store add their ingested events; ids are looked up among the generated.
    let generated = settings.events
    let scenarios = [
        Scenario(name: "filtered page of 100 (event_type)") { random in
            let type = SyntheticEvents.eventTypes[Int(random.next() % UInt64(SyntheticEvents.eventTypes.count))]
            return "/events?event_type=\(type)&limit=100"
        },
        Scenario(name: "filtered page of 100 (event_type + source)") { random in
            let type = SyntheticEvents.eventTypes[Int(random.next() % UInt64(SyntheticEvents.eventTypes.count))]
            let source = SyntheticEvents.sources[Int(random.next() % UInt64(SyntheticEvents.sources.count))]
            return "/events?event_type=\(type)&source=\(source)&limit=100"
        },
        Scenario(name: "deep offset (500k-1M), page of 100") { random in
            let offset = total / 2 + Int(random.next() % UInt64(total / 2 - 100))
            return "/events?limit=100&offset=\(offset)"
        },
        Scenario(name: "lookup by id") { random in
            "/events/" + SyntheticEvents.id(Int(random.next() % UInt64(generated)))
        },
    ]

    // Each kind of request answers what it should: a full page, or the event looked up.
    var random = SplitMix(state: 42)
    for scenario in scenarios {
        let target = scenario.target(&random)
        let answer = try JSONSerialization.jsonObject(with: Data(fetch(port: apiPort, target))) as? [String: Any]
        let listed = (answer?["events"] as? [Any])?.count
        let found = answer?["id"] as? String
        guard listed == 100 || (listed == nil && found.map { target.hasSuffix($0) } == true) else {
            throw BenchmarkError("unexpected answer to \(target): \(String(describing: answer).prefix(300))")
        }
    }

    say("warming up")
    for scenario in scenarios {
        _ = runLoad(port: apiPort, scenario: scenario, clients: 2, seconds: 1, maxRequests: 2_000)
    }

    var ingestRows: [(String, IngestFigures)] = []
    func measureIngest(_ label: String, during load: () -> Void) throws {
        let tag = "\(run)-\(ingestRows.count)"
        let latencyBefore = try histogramBuckets(metricsPort: metricsPort)
        let fsyncBefore = try histogramBuckets(metricsPort: metricsPort, "candystore_fsync_duration_seconds")
        let publisher = PacedPublisher(url: url, exchange: exchange, tag: tag, perSecond: settings.rate)
        load()
        let published = try publisher.stop()
        let figures = try ingestFigures(
            tag: tag, published: published, apiPort: apiPort, metricsPort: metricsPort,
            latencyBefore: latencyBefore, fsyncBefore: fsyncBefore)
        ingestRows.append((label, figures))
    }

    say("ingest alone at \(settings.rate)/s for \(settings.seconds) s")
    try measureIngest("none (ingest alone)") { Thread.sleep(forTimeInterval: settings.seconds) }

    var results: [LoadResult] = []
    var loads: [(clients: Int, paced: Int?)] = settings.clients.map { ($0, nil) }
    if settings.pacedRate > 0 { loads.append((2, settings.pacedRate)) }
    for (clients, paced) in loads {
        let label = paced.map { "\($0) req/s paced" } ?? "\(clients) closed loop(s)"
        for scenario in scenarios {
            say("\(scenario.name), \(label), with ingest at \(settings.rate)/s")
            try measureIngest("\(scenario.name), \(label)") {
                results.append(
                    runLoad(
                        port: apiPort, scenario: scenario, clients: clients, seconds: settings.seconds,
                        maxRequests: settings.maxRequests, pacedRate: paced))
            }
        }
    }

    say("ingest alone again, to see how much the machine itself drifted")
    try measureIngest("none (ingest alone, again at the end)") { Thread.sleep(forTimeInterval: settings.seconds) }

    print("store: \(total) events; index rebuild at start-up \(format(daemon.rebuildSeconds ?? .nan)) s")
    print("")
    print("| request | load | requests | req/s | p50 ms | p99 ms | p99.9 ms | max ms | errors |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for result in results {
        let latency = result.latency
        print(
            "| \(result.scenario) | \(result.pacedRate.map { "paced \($0)/s" } ?? "\(result.clients) closed") "
                + "| \(latency.count) | \(Int(result.requestsPerSecond)) | "
                + "\(format(latency.p50)) | \(format(latency.p99)) | \(format(latency.p999)) | "
                + "\(format(latency.max)) | \(result.errors) |")
    }
    print("")
    print(
        "| HTTP load beside ingest at \(settings.rate)/s | events | storage_latency_ms p50 | p99 | max "
            + "| received-to-durable p99 (histogram) | fsync p99 (histogram) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (label, figures) in ingestRows {
        let stored =
            figures.stored == figures.published ? "\(figures.stored)" : "\(figures.stored)/\(figures.published)"
        print(
            "| \(label) | \(stored) | \(format(figures.latency.p50)) | \(format(figures.latency.p99)) | "
                + "\(format(figures.latency.max)) | ≤ \(figures.histogramP99Bound.map(format) ?? "-") ms "
                + "| ≤ \(figures.fsyncP99Bound.map(format) ?? "-") ms |")
    }
}

do {
    try main()
} catch {
    say("failed: \(error)")
    exit(1)
}
