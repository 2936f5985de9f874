import Foundation
import SegmentStore
import Synchronization

@testable import Ingest

/// One consumer against a real broker, with its own exchange, queue, store and quarantine log in a
/// temporary directory; `shutdown()` removes all of them.
final class IngestHarness {
    let url: AMQPURL
    let exchange: String
    let queue: String
    let directory: TemporaryDirectory
    let store: EventStore
    let quarantine: QuarantineLog
    let ids: StoredIDSet
    let faults: StoreFaults
    let metrics = RecordingMetrics()
    private(set) var consumer: IngestConsumer
    private(set) var configuration: IngestConfiguration

    init(_ purpose: String, url: AMQPURL? = nil, adjust: (inout IngestConfiguration) -> Void = { _ in }) throws {
        self.url = try url ?? TestBroker.sharedURL()
        exchange = TestBroker.uniqueName("\(purpose)-exchange")
        queue = TestBroker.uniqueName("\(purpose)-queue")
        directory = try TemporaryDirectory(purpose)
        faults = StoreFaults()
        var options = StoreOptions(directory: directory.path + "/events")
        options.faults = faults
        store = try EventStore.open(options)
        quarantine = try QuarantineLog(directory: QuarantineLog.directory(inDataDirectory: directory.path))
        ids = try StoredIDSet(tracking: store)
        var configuration = IngestConfiguration(rabbitURL: self.url)
        configuration.exchangeName = exchange
        configuration.queueName = queue
        configuration.reconnectMaximumDelay = .seconds(4)
        configuration.storeRetryMaximumDelay = .milliseconds(400)
        adjust(&configuration)
        self.configuration = configuration
        consumer = IngestConsumer(
            configuration: configuration, store: store, quarantine: quarantine, isStored: { [ids] in ids.contains($0) },
            metrics: metrics)
    }

    /// Starts the consumer and waits until it consumes (so the queue exists and is bound).
    func start() throws {
        consumer.start()
        guard waitUntil(.seconds(30), { consumer.statistics.isConsuming }) else {
            throw BrokerError(message: "the consumer did not start consuming within 30 s")
        }
    }

    /// Replaces the consumer with a fresh one over the same store (a restart of the daemon's consumer).
    func restartConsumer() throws {
        consumer.stop()
        consumer = IngestConsumer(
            configuration: configuration, store: store, quarantine: quarantine, isStored: { [ids] in ids.contains($0) },
            metrics: metrics)
        try start()
    }

    /// A publisher connection with confirms on.
    func publisher() throws -> AMQPConnection {
        let connection = try AMQPConnection.connect(to: url)
        try connection.enableConfirms()
        return connection
    }

    /// Publishes bodies and waits for the broker to confirm them.
    func publish(
        _ bodies: [[UInt8]], routingKey: String = "test.event", properties: AMQPMessageProperties = .persistentJSON()
    ) throws {
        let connection = try publisher()
        defer { connection.close() }
        for body in bodies {
            try connection.publish(exchange: exchange, routingKey: routingKey, body: body, properties: properties)
        }
        try connection.waitForConfirms(timeout: .seconds(30))
    }

    /// Every stored event, in sequence order.
    func storedEvents() throws -> [StoredEvent] {
        let last = store.lastDurableSequence
        guard last >= store.firstSequence else { return [] }
        return try store.events(at: Array(store.firstSequence...last))
    }

    /// Ready messages left in the queue.
    func queueDepth() throws -> UInt32 {
        let connection = try AMQPConnection.connect(to: url)
        defer { connection.close() }
        return try connection.inspectQueue(queue).messageCount
    }

    /// Waits until the consumer has acknowledged `count` deliveries in total.
    func waitForAcknowledged(_ count: Int, within limit: Duration = .seconds(60)) -> Bool {
        waitUntil(limit) { consumer.statistics.acknowledged >= count }
    }

    func shutdown() {
        consumer.stop()
        if let connection = try? AMQPConnection.connect(to: url) {
            try? connection.deleteQueue(queue)
            try? connection.deleteExchange(exchange)
            connection.close()
        }
        store.close()
        quarantine.close()
        directory.remove()
    }
}

/// Metrics that remember what they were told.
final class RecordingMetrics: IngestMetrics {
    struct Totals {
        var received = 0
        var stored = 0
        var duplicates = 0
        var quarantined: [QuarantineReason: Int] = [:]
        var failed = 0
        var latencies: [Double] = []
        var reconnectAttempts = 0
        var connectedChanges: [Bool] = []
    }

    let totals = Mutex(Totals())

    func eventReceived(eventType: String, source: String) { totals.withLock { $0.received += 1 } }
    func eventStored(eventType: String, latencySeconds: Double) {
        totals.withLock {
            $0.stored += 1
            $0.latencies.append(latencySeconds)
        }
    }
    func eventFailed(eventType: String, errorType: String) { totals.withLock { $0.failed += 1 } }
    func duplicateAcknowledged() { totals.withLock { $0.duplicates += 1 } }
    func messageQuarantined(reason: QuarantineReason) { totals.withLock { $0.quarantined[reason, default: 0] += 1 } }
    func connectionChanged(connected: Bool) { totals.withLock { $0.connectedChanges.append(connected) } }
    func reconnectAttempted() { totals.withLock { $0.reconnectAttempts += 1 } }
}
