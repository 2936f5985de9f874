import Foundation
import Testing

/// A running daemon that has stored a published set of events.
struct StockedDaemon {
    let daemon: DaemonUnderTest
    /// What was published, in publish order.
    let events: [SampleEvent]
    /// The prefix of every id of this run.
    let run: String

    /// Starts a daemon, publishes `count` sample events (plus `extra`) and waits until all are
    /// stored; `body` then runs, and the daemon is torn down whatever happens.
    static func with(
        _ purpose: String, count: Int = 120, extra: [SampleEvent] = [], settings: [String: String] = [:],
        _ body: (StockedDaemon) throws -> Void
    ) throws {
        let daemon = try DaemonUnderTest(purpose, settings: settings)
        defer { daemon.tearDown() }
        try daemon.startConsuming()
        let run = LoopbackBroker.uniqueName(purpose)
        let events = SampleSet.make(count, run: run) + extra
        try TestPublisher.publish(events, url: daemon.brokerURL, exchange: daemon.exchange)
        try daemon.waitUntilStored(events.count)
        try body(StockedDaemon(daemon: daemon, events: events, run: run))
    }
}

extension DaemonUnderTest {
    /// Waits until the API counts `count` events in total.
    func waitUntilStored(_ count: Int, within limit: Duration = .seconds(60)) throws {
        var seen = -1
        let stored = eventually(within: limit) {
            seen = (try? total()) ?? -1
            return seen >= count
        }
        guard stored else {
            throw ChildProcessError("only \(seen) of \(count) events stored after \(limit):\n\(logTail())")
        }
    }

    /// The ids, in order, that `GET target` answers; fails the test on anything but 200.
    func ids(_ target: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let page = try json(target)
        let events = try #require(page["events"] as? [[String: Any]], sourceLocation: sourceLocation)
        return events.map { $0["id"] as? String ?? "?" }
    }
}
