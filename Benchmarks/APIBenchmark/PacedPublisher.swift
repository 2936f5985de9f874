import Foundation
import Ingest
import SegmentStore
import Synchronization

/// Publishes EventEnvelope bodies at a fixed rate on a thread of its own, with publisher
/// confirms, until stopped. Every event of one run carries the run's tag as its session, so its
/// stored copies (and their `storage_latency_ms`) can be read back through the API.
final class PacedPublisher: Sendable {
    private struct Progress {
        var published = 0
        var failure: String?
    }

    private let progress = Mutex(Progress())
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    /// The session id of every event this publisher sends.
    let tag: String

    init(url: AMQPURL, exchange: String, tag: String, perSecond: Int) {
        self.tag = tag
        let thread = Thread { [self] in
            defer { finished.signal() }
            do {
                try publish(url: url, exchange: exchange, perSecond: perSecond)
            } catch {
                progress.withLock { $0.failure = "\(error)" }
            }
        }
        thread.name = "apibench.publisher"
        thread.start()
    }

    private func publish(url: AMQPURL, exchange: String, perSecond: Int) throws {
        let connection = try AMQPConnection.connect(to: url)
        defer { connection.close() }
        try connection.enableConfirms()
        let gap = 1.0 / Double(perSecond)
        let started = Date()
        var sent = 0
        while !stopRequested.load(ordering: .acquiring) {
            let due = started.addingTimeInterval(Double(sent) * gap)
            let wait = due.timeIntervalSinceNow
            if wait > 0 {
                // Sleep rather than wait in poll for confirms: a profile showed this thread
                // polling through most of a core, taken from the daemon it measures.
                try connection.pollConfirms(timeout: .zero)
                usleep(UInt32(min(wait, 0.01) * 1e6))
                continue
            }
            let body = """
                {"event_id":"\(tag)-\(sent)","event_type":"apibench.ingest.tick",\
                "timestamp":"\(EventTimestamp.now().rfc3339)","version":"1.0.0",\
                "source":{"host":"bench","type":"service","app":"apibench"},"correlation_ids":[],\
                "agent_context":{"type":"benchmark","instance_id":"\(tag)"},\
                "payload":{"sequence":\(sent),"text":"\(String(repeating: "ingest ", count: 60))"}}
                """
            try connection.publish(exchange: exchange, routingKey: "apibench.ingest.tick", body: Array(body.utf8))
            sent += 1
            progress.withLock { $0.published = sent }
            try connection.pollConfirms(timeout: .zero)
        }
        try connection.waitForConfirms(timeout: .seconds(30))
    }

    /// Stops publishing and waits until everything sent is confirmed.
    ///
    /// - Returns: How many events were published.
    func stop() throws -> Int {
        stopRequested.store(true, ordering: .releasing)
        finished.wait()
        let (published, failure) = progress.withLock { ($0.published, $0.failure) }
        if let failure { throw BenchmarkError("publisher failed: \(failure)") }
        return published
    }
}
