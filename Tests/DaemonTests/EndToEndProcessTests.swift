import Foundation
import SegmentStore
import Testing

/// The daemon as a process among failures: killed with SIGKILL mid-stream and restarted, asked
/// to stop with SIGTERM mid-stream, and left running while its broker restarts. Each time every
/// published event must end up stored exactly once.
@Suite(.serialized, .timeLimit(.minutes(8))) struct EndToEndProcessTests {
    /// `count` envelope events with ids `run-0`, `run-1`, ….
    private func stream(_ count: Int, run: String) -> [SampleEvent] {
        (0..<count).map { index in
            SampleEvent(
                shape: SampleEvent.Shape.allCases[index % 3], id: "\(run)-\(index)",
                eventType: SampleSet.eventTypes[index % 4], source: "stream@e2e",
                sessionId: "stream-session-\(index % 10)",
                timestamp: EventTimestamp(microseconds: SampleSet.baseTime.microseconds + Int64(index) * 1_000),
                payload: ["index": index, "padding": String(repeating: "x", count: 200)])
        }
    }

    /// The ids in the data directory, read with the store opened read-only (the daemon must not run).
    private func storedIDs(_ daemon: DaemonUnderTest) throws -> [String] {
        var options = StoreOptions(directory: daemon.dataDirectory)
        options.readOnly = true
        let store = try EventStore.open(options)
        defer { store.close() }
        var ids: [String] = []
        try store.forEachIndexedFields { ids.append($0.id) }
        return ids
    }

    /// `segstore verify` over the data directory.
    private func verify(_ daemon: DaemonUnderTest) throws -> (ChildProcess.ExitStatus, String) {
        let (status, output) = try ChildProcess.run(
            DaemonUnderTest.product("segstore"), ["verify", "--data-dir", daemon.dataDirectory])
        return (status, output)
    }

    @Test("SIGKILL twice mid-stream, restarted each time: exactly N distinct events stored, none missing")
    func killedMidStream() throws {
        let daemon = try DaemonUnderTest("sigkill")
        defer { daemon.tearDown() }
        try daemon.startConsuming()
        let run = LoopbackBroker.uniqueName("sigkill")
        let events = stream(3_000, run: run)
        let publisher = StreamPublisher(
            url: daemon.brokerURL, exchange: daemon.exchange, bodies: events.map(\.body), perSecond: 600,
            giveUpAfter: .seconds(150))

        for threshold in [600, 1_500] {
            let reached = eventually(within: .seconds(60)) { ((try? daemon.total()) ?? 0) >= threshold }
            try #require(reached, "\(threshold) events stored before the kill:\n\(daemon.logTail())")
            daemon.kill()
            #expect(daemon.process?.exitStatus == .signalled(SIGKILL))
            #expect(publisher.confirmed < events.count, "the kill happened mid-stream")
            try daemon.startConsuming()
        }
        #expect(publisher.wait(within: .seconds(150)) == nil)
        try daemon.waitUntilStored(events.count, within: .seconds(120))
        #expect(
            eventually(within: .seconds(30)) {
                (try? LoopbackBroker.readyMessages(url: daemon.brokerURL, queue: daemon.queue)) == 0
            })

        let ids = try daemon.allIDs()
        #expect(ids.count == events.count, "exactly N events")
        #expect(Set(ids).count == ids.count, "none twice")
        #expect(Set(ids) == Set(events.map(\.id)), "none missing")
        #expect(try daemon.health()["events_stored"] as? Int == events.count)
        #expect(try daemon.total() == events.count)
        for event in [events[0], events[1_000], events[2_999]] {
            #expect(try daemon.api("/events/\(event.id)/raw").body == event.body)
        }

        #expect(daemon.terminate() == .exited(0))
        let (status, report) = try verify(daemon)
        #expect(status == .exited(0), "segstore verify: \(report)")
        #expect(report.contains("intact"), "\(report)")
    }

    @Test("SIGTERM mid-stream: exit 0, and exactly what was stored was acknowledged")
    func terminatedMidStream() throws {
        let daemon = try DaemonUnderTest("sigterm")
        defer { daemon.tearDown() }
        try daemon.startConsuming()
        let run = LoopbackBroker.uniqueName("sigterm")
        let events = stream(4_000, run: run)
        let publisher = StreamPublisher(
            url: daemon.brokerURL, exchange: daemon.exchange, bodies: events.map(\.body), perSecond: 2_000,
            giveUpAfter: .seconds(120))
        let reached = eventually(within: .seconds(60)) { ((try? daemon.total()) ?? 0) >= 800 }
        try #require(reached, "events stored before SIGTERM:\n\(daemon.logTail())")

        let status = daemon.terminate(within: .seconds(60))
        #expect(status == .exited(0), "\(daemon.logTail())")
        #expect(publisher.wait(within: .seconds(120)) == nil)

        // Every stored event was acknowledged and every other one is back in the queue: stored
        // plus ready is exactly N. (Stored but unacknowledged would make it larger, acknowledged
        // but not stored smaller.)
        let stored = try storedIDs(daemon)
        #expect(Set(stored).count == stored.count)
        #expect(stored.count < events.count, "SIGTERM came mid-stream")
        var ready: UInt32 = 0
        let balanced = eventually(within: .seconds(30)) {
            ready = (try? LoopbackBroker.readyMessages(url: daemon.brokerURL, queue: daemon.queue)) ?? 0
            return Int(ready) + stored.count == events.count
        }
        #expect(balanced, "stored \(stored.count) + ready \(ready) != \(events.count)")
        let stopped = daemon.logEntries().last { $0["message"] as? String == "ingest consumer stopped" }
        #expect(stopped?["ingest.acknowledged"] as? Int == stored.count, "\(String(describing: stopped))")
        #expect(daemon.logEntries().last?["message"] as? String == "stopped")

        // The rest arrives after a restart, each event once.
        try daemon.startConsuming()
        try daemon.waitUntilStored(events.count, within: .seconds(90))
        let ids = try daemon.allIDs()
        #expect(ids.count == events.count)
        #expect(Set(ids) == Set(events.map(\.id)))
        #expect(daemon.terminate() == .exited(0))
        #expect(try verify(daemon).0 == .exited(0))
    }

    @Test("the broker restarts mid-stream: the daemon reports it, reconnects by itself, and every event arrives once")
    func brokerRestartMidStream() throws {
        let node = try LoopbackBroker.startPrivateNode("restart")
        defer { node.remove() }
        let daemon = try DaemonUnderTest("broker-restart", brokerURL: node.url)
        defer { daemon.tearDown() }
        try daemon.startConsuming()
        let run = LoopbackBroker.uniqueName("restart")
        let events = stream(2_000, run: run)
        let publisher = StreamPublisher(
            url: node.url, exchange: daemon.exchange, bodies: events.map(\.body), perSecond: 300,
            giveUpAfter: .seconds(240))
        let reached = eventually(within: .seconds(60)) { ((try? daemon.total()) ?? 0) >= 300 }
        try #require(reached, "events stored before the restart:\n\(daemon.logTail())")

        try node.stop()
        var health: [String: Any] = [:]
        let degraded = eventually(within: .seconds(60)) {
            health = (try? daemon.health()) ?? [:]
            return health["status"] as? String == "degraded"
        }
        #expect(degraded, "health while the broker is down: \(health)")
        #expect(health["consumer_connected"] as? Bool == false)
        #expect(try daemon.api("/health").status == 503)
        let storedWhileDown = try daemon.total()
        #expect(storedWhileDown < events.count, "the restart happened mid-stream")
        try node.start()

        #expect(publisher.wait(within: .seconds(240)) == nil)
        try daemon.waitUntilStored(events.count, within: .seconds(180))
        try daemon.waitUntilConsuming()
        let ids = try daemon.allIDs()
        #expect(ids.count == events.count, "exactly N events")
        #expect(Set(ids) == Set(events.map(\.id)), "none missing, none twice")
        #expect(publisher.connectionFailures >= 1, "the publisher saw the outage too")
        let scrape = try MetricsScrape(daemon.scrape())
        #expect((scrape.value("candystore_consumer_reconnects_total") ?? 0) >= 1)
        #expect(scrape.value("candystore_consumer_connected") == 1)
        #expect(try daemon.api("/health").status == 200)
        #expect(daemon.terminate() == .exited(0))
    }
}
