import Foundation
import Ingest
import Synchronization

/// Publishes test events to the daemon's exchange over librabbitmq, with publisher confirms.
enum TestPublisher {
    /// Publishes every event and returns once the broker has confirmed them all.
    static func publish(_ events: [SampleEvent], url: String, exchange: String) throws {
        let connection = try AMQPConnection.connect(to: AMQPURL(parsing: url))
        defer { connection.close() }
        try connection.enableConfirms()
        for event in events {
            try connection.publish(
                exchange: exchange, routingKey: event.routingKey, body: event.body, properties: event.properties)
        }
        try connection.waitForConfirms(timeout: .seconds(30))
    }
}

/// Publishes a stream of bodies at a steady rate on a thread of its own, the way a careful
/// producer does across broker outages: when the connection fails it reconnects and publishes
/// again every message the broker had not confirmed. So no message is lost, and some may
/// arrive twice; the daemon must store those once.
final class StreamPublisher: Sendable {
    private struct State {
        /// Messages from the start of `bodies` that the broker has confirmed.
        var confirmed = 0
        var connectionFailures = 0
        var failure: String?
        var done = false
    }

    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    /// Starts publishing `bodies` to `exchange` with `routingKey`, `perSecond` a second.
    ///
    /// - Parameter limit: When to give up, counted from now.
    init(
        url: String, exchange: String, routingKey: String = "e2e.stream", bodies: [[UInt8]], perSecond: Int,
        giveUpAfter limit: Duration
    ) {
        let thread = Thread { [self] in
            run(
                url: url, exchange: exchange, routingKey: routingKey, bodies: bodies, perSecond: perSecond,
                deadline: ContinuousClock.now + limit)
            finished.signal()
        }
        thread.name = "e2e.publisher"
        thread.start()
    }

    /// Messages confirmed so far, counted from the first body.
    var confirmed: Int { state.withLock { $0.confirmed } }

    /// Connections that failed under the publisher.
    var connectionFailures: Int { state.withLock { $0.connectionFailures } }

    /// Waits up to `limit` for the stream to end.
    ///
    /// - Returns: `nil` when every body was confirmed, else what went wrong.
    func wait(within limit: Duration) -> String? {
        guard finished.wait(timeout: .now() + limit.timeInterval) == .success else {
            return "the publisher was still running after \(limit)"
        }
        return state.withLock { $0.failure }
    }

    private func run(
        url: String, exchange: String, routingKey: String, bodies: [[UInt8]], perSecond: Int,
        deadline: ContinuousClock.Instant
    ) {
        let gap = Duration.seconds(1) / max(1, perSecond)
        var nextSend = ContinuousClock.now
        while confirmed < bodies.count {
            guard ContinuousClock.now < deadline else {
                state.withLock { $0.failure = "only \($0.confirmed) of \(bodies.count) confirmed before the deadline" }
                return
            }
            // Everything from `first` on goes out again on this connection; its confirm tags count from 1.
            let first = confirmed
            do {
                let connection = try AMQPConnection.connect(to: AMQPURL(parsing: url))
                defer { connection.close() }
                try connection.enableConfirms()
                var sent = first
                while first + Int(connection.confirmedThrough) < bodies.count {
                    guard ContinuousClock.now < deadline else { throw ChildProcessError("out of time") }
                    let unconfirmed = sent - first - Int(connection.confirmedThrough)
                    if sent < bodies.count, unconfirmed < 500, ContinuousClock.now >= nextSend {
                        try connection.publish(exchange: exchange, routingKey: routingKey, body: bodies[sent])
                        sent += 1
                        nextSend += gap
                        try connection.pollConfirms(timeout: .zero)
                    } else {
                        let wait =
                            sent < bodies.count
                            ? max(.zero, min(nextSend - .now, .milliseconds(20))) : .milliseconds(20)
                        try connection.pollConfirms(timeout: wait)
                    }
                    let through = first + Int(connection.confirmedThrough)
                    state.withLock { $0.confirmed = through }
                }
            } catch {
                state.withLock { $0.connectionFailures += 1 }
                Thread.sleep(forTimeInterval: 0.2)
                nextSend = ContinuousClock.now
            }
        }
    }
}

extension Duration {
    /// The duration in seconds, as Foundation and Dispatch count time.
    var timeInterval: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
