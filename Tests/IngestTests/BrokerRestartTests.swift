import Foundation
import SegmentStore
import Testing

@testable import Ingest

/// Restarts a broker under a running consumer. Uses a private node on ports of its own, so the
/// shared broker and other tests are not disturbed.
@Suite(.serialized) struct BrokerRestartTests {
    @Test("a broker restart mid-stream: the consumer reconnects by itself and every event arrives once")
    func brokerRestart() throws {
        let port = TestBroker.freePort()
        let node = TestBroker.uniqueName("node")
        let url = try TestBroker.start(port: port, name: node)
        defer { try? TestBroker.clean(port: port, name: node) }
        let harness = try IngestHarness("restart", url: url) {
            $0.reconnectInitialDelay = .milliseconds(500)
        }
        defer { harness.shutdown() }
        try harness.start()
        let run = TestBroker.uniqueName("run")
        let bodies = (0..<3_000).map { EventBodies.envelope($0, run: run).body }

        let publisher = ResilientPublisher(
            url: url, exchange: harness.exchange, bodies: bodies, perSecond: 400, giveUpAfter: .seconds(120))
        #expect(waitUntil(.seconds(30)) { harness.store.lastDurableSequence >= 400 })
        try TestBroker.stop(port: port, name: node)
        let lost = waitUntil(.seconds(30)) { harness.consumer.statistics.disconnections >= 1 }
        let storedWhileDown = harness.store.lastDurableSequence
        _ = try TestBroker.start(port: port, name: node)
        let failure = publisher.wait()

        #expect(failure == nil)
        #expect(lost)
        #expect(storedWhileDown < UInt64(bodies.count), "the restart did not happen mid-stream")
        #expect(publisher.reconnects >= 1)
        let arrived = waitUntil(.seconds(90)) { harness.store.lastDurableSequence >= UInt64(bodies.count) }
        #expect(arrived)
        #expect(waitUntil(.seconds(30)) { (try? harness.queueDepth()) == 0 })
        let stored = try harness.storedEvents()
        #expect(stored.count == bodies.count)
        let storedBodies = Set(stored.map(\.original.body))
        let missing = bodies.filter { !storedBodies.contains($0) }.count
        #expect(missing == 0)
        let statistics = harness.consumer.statistics
        #expect(statistics.connections >= 2)
        #expect(statistics.isConsuming)
    }
}
