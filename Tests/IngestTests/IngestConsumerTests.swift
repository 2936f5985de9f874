import Foundation
import SegmentStore
import Testing

@testable import Ingest

@Suite(.serialized) struct IngestConsumerTests {
    @Test("N events of every shape are stored exactly once with the right fields")
    func everyShapeOnce() throws {
        let harness = try IngestHarness("shapes")
        defer { harness.shutdown() }
        try harness.start()
        let run = TestBroker.uniqueName("run")
        let perShape = 60
        var published: [PublishedEvent] = []
        for number in 0..<perShape {
            published.append(EventBodies.envelope(number, run: run))
            published.append(EventBodies.legacy(number, run: run))
            published.append(EventBodies.cloudEvent(number, run: run))
            published.append(EventBodies.bridgeWithMessageId(number, run: run))
            published.append(EventBodies.anonymous(number, run: run))
        }

        let connection = try harness.publisher()
        for event in published {
            try connection.publish(
                exchange: harness.exchange, routingKey: event.eventType, body: event.body,
                properties: .persistentJSON(messageId: event.messageId))
        }
        try connection.waitForConfirms(timeout: .seconds(30))
        connection.close()

        #expect(harness.waitForAcknowledged(published.count))
        let stored = try harness.storedEvents()
        #expect(stored.count == published.count)
        let byId = Dictionary(grouping: stored, by: \.id)
        #expect(byId.count == published.count)
        for event in published {
            guard let copies = byId[event.id] else {
                Issue.record("event \(event.id) is missing")
                continue
            }
            #expect(copies.count == 1)
            let record = copies[0]
            #expect(record.eventType == event.eventType)
            #expect(record.source == event.source)
            #expect(record.sessionId == event.sessionId)
            #expect(record.correlationId == event.correlationId)
            if let timestamp = event.timestamp { #expect(record.timestamp.rfc3339 == timestamp) }
            #expect(record.original.body == event.body)
            #expect(record.original.exchange == harness.exchange)
            #expect(record.storedAt >= record.receivedAt)
        }
        #expect(harness.consumer.statistics.duplicates == 0)
        #expect(try harness.queueDepth() == 0)
        #expect(harness.metrics.totals.withLock { $0.latencies.count } == published.count)
    }

    @Test("the same event id published twice, or dead-lettered back, is stored once")
    func sameIdOnce() throws {
        let harness = try IngestHarness("dedupe")
        defer { harness.shutdown() }
        try harness.start()
        let run = TestBroker.uniqueName("run")
        let original = EventBodies.envelope(1, run: run)
        let deadLetter: [AMQPHeader] = [
            AMQPHeader(
                "x-death",
                .array([
                    .table([
                        AMQPHeader("count", .int(1)), AMQPHeader("reason", .string("rejected")),
                        AMQPHeader("queue", .string("other-consumer")),
                        AMQPHeader("exchange", .string(harness.exchange)),
                        AMQPHeader("routing-keys", .array([.string("transcription.voice.completed")])),
                    ])
                ]))
        ]
        var republished = original.body
        republished.append(UInt8(ascii: " "))

        try harness.publish([original.body], routingKey: original.eventType)
        try harness.publish([original.body], routingKey: original.eventType)
        try harness.publish(
            [original.body], routingKey: original.eventType, properties: .persistentJSON(headers: deadLetter))
        try harness.publish([republished], routingKey: "another.key")

        #expect(harness.waitForAcknowledged(4))
        let stored = try harness.storedEvents()
        #expect(stored.map(\.id) == [original.id])
        #expect(harness.consumer.statistics.duplicates == 3)
        #expect(harness.metrics.totals.withLock { $0.duplicates } == 3)
    }

    @Test("events delivered again to a new consumer over the same store are not stored twice")
    func redeliveryAcrossConsumers() throws {
        let harness = try IngestHarness("redeliver")
        defer { harness.shutdown() }
        try harness.start()
        let run = TestBroker.uniqueName("run")
        let bodies = (0..<100).map { EventBodies.legacy($0, run: run).body }

        try harness.publish(bodies)
        #expect(harness.waitForAcknowledged(100))
        try harness.restartConsumer()
        try harness.publish(bodies)
        #expect(harness.waitForAcknowledged(100))

        #expect(try harness.storedEvents().count == 100)
        #expect(harness.consumer.statistics.duplicates == 100)
        #expect(try harness.queueDepth() == 0)
    }

    @Test("after a crash between durable and acknowledged, the redelivered events are not stored again")
    func crashBeforeAcknowledgement() throws {
        let harness = try IngestHarness("crash")
        defer { harness.shutdown() }
        let run = TestBroker.uniqueName("run")
        let published = (0..<500).map { EventBodies.envelope($0, run: run) }
        // What a killed daemon leaves behind: the first 200 events durable, none acknowledged.
        let normalizer = EnvelopeNormalizer()
        let alreadyStored = published.prefix(200).compactMap { event -> StoredEvent? in
            let message = IncomingMessage(
                body: event.body, routingKey: event.eventType, exchange: harness.exchange, receivedAt: .now())
            guard case .event(let stored, _) = normalizer.normalize(message) else { return nil }
            return stored
        }
        try harness.store.append(alreadyStored)

        try harness.start()
        try harness.publish(published.map(\.body), routingKey: "transcription.voice.completed")
        #expect(harness.waitForAcknowledged(published.count))

        let stored = try harness.storedEvents()
        #expect(stored.count == published.count)
        #expect(Set(stored.map(\.id)) == Set(published.map(\.id)))
        #expect(harness.consumer.statistics.duplicates == 200)
        #expect(harness.consumer.statistics.stored == 300)
    }

    @Test("malformed bodies are quarantined with their reason and consuming goes on")
    func malformedBodies() throws {
        let harness = try IngestHarness("malformed") { $0.maxEventBytes = 2_048 }
        defer { harness.shutdown() }
        try harness.start()
        let run = TestBroker.uniqueName("run")
        let oversized =
            Array(#"{"event_id": "big", "payload": ""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 4_096)
            + Array(#""}"#.utf8)
        let malformed: [(QuarantineReason, [UInt8])] = [
            (.invalidJSON, Array("this is not json".utf8)),
            (.notAnObject, Array(#"[{"event_id": "in-an-array"}]"#.utf8)),
            (.invalidJSON, Array(#"{"event_id": "cut", "payload": {"a": "#.utf8)),
            (.invalidUTF8, Array(#"{"event_id": ""#.utf8) + [0xC3, 0x28, 0xFF] + Array(#""}"#.utf8)),
            (.tooLarge, oversized),
        ]
        var bodies: [[UInt8]] = []
        for (index, entry) in malformed.enumerated() {
            bodies.append(EventBodies.cloudEvent(index * 2, run: run).body)
            bodies.append(entry.1)
            bodies.append(EventBodies.cloudEvent(index * 2 + 1, run: run).body)
        }

        try harness.publish(bodies, routingKey: "bridge.raw")
        #expect(harness.waitForAcknowledged(bodies.count))

        #expect(try harness.storedEvents().count == malformed.count * 2)
        #expect(harness.quarantine.count == malformed.count)
        let records = try harness.quarantine.records()
        #expect(records.count == malformed.count)
        for (reason, body) in malformed {
            let record = try #require(records.first { $0.original.body == body })
            #expect(record.eventType == "quarantine.\(reason.rawValue)")
            #expect(record.original.routingKey == "bridge.raw")
            #expect(record.original.exchange == harness.exchange)
            let payload = try JSONSerialization.jsonObject(with: Data(record.payload)) as? [String: Any]
            #expect(payload?["reason"] as? String == reason.rawValue)
            #expect(payload?["size"] as? Int == body.count)
            let properties = try JSONSerialization.jsonObject(with: Data(record.original.properties)) as? [String: Any]
            #expect(properties?["content_type"] as? String == "application/json")
        }
        #expect(harness.consumer.statistics.quarantined == malformed.count)
        #expect(try harness.queueDepth() == 0)
    }

    @Test("while the store cannot write nothing is acknowledged and consuming pauses, then it resumes by itself")
    func storeFailureAndRecovery() throws {
        let harness = try IngestHarness("store-failure")
        defer { harness.shutdown() }
        try harness.start()
        let run = TestBroker.uniqueName("run")
        let bodies = (0..<150).map { EventBodies.envelope($0, run: run).body }
        harness.faults.failWrites(errno: ENOSPC, count: 1_000_000)

        try harness.publish(bodies)
        let paused = try waitUntil(.seconds(30)) {
            let statistics = harness.consumer.statistics
            guard statistics.isPausedForStore, statistics.storeFailures >= 2 else { return false }
            let connection = try AMQPConnection.connect(to: harness.url)
            defer { connection.close() }
            return try connection.inspectQueue(harness.queue).consumerCount == 0
        }
        #expect(paused)
        #expect(harness.consumer.statistics.acknowledged == 0)
        #expect(harness.store.lastDurableSequence == 0)

        harness.faults.clear()
        #expect(harness.waitForAcknowledged(bodies.count))
        #expect(try harness.storedEvents().count == bodies.count)
        #expect(Set(try harness.storedEvents().map(\.id)).count == bodies.count)
        #expect(harness.consumer.statistics.isConsuming)
        #expect(harness.metrics.totals.withLock { $0.failed } > 0)
    }

    @Test("stop() stores and acknowledges everything it took; the rest stays in the queue")
    func gracefulStop() throws {
        let harness = try IngestHarness("graceful") { $0.prefetchCount = 20 }
        defer { harness.shutdown() }
        let run = TestBroker.uniqueName("run")
        let total = 20_000
        let publisher = try harness.publisher()
        try publisher.declareExchange(harness.exchange)
        try publisher.declareQueue(harness.queue)
        try publisher.bindQueue(harness.queue, to: harness.exchange)
        for number in 0..<total {
            try publisher.publish(
                exchange: harness.exchange, routingKey: "t", body: EventBodies.legacy(number, run: run).body)
        }
        try publisher.waitForConfirms(timeout: .seconds(60))
        publisher.close()

        try harness.start()
        #expect(waitUntil(.seconds(30)) { harness.consumer.statistics.acknowledged >= 500 })
        harness.consumer.stop()

        let statistics = harness.consumer.statistics
        #expect(statistics.delivered < total, "the stop came after the whole stream; nothing was in flight")
        #expect(statistics.inFlight == 0)
        #expect(statistics.acknowledged == statistics.delivered)
        #expect(statistics.stored == statistics.delivered)
        #expect(try harness.storedEvents().count == statistics.stored)
        #expect(waitUntil(.seconds(10)) { (try? harness.queueDepth()) == UInt32(total - statistics.acknowledged) })
    }
}
