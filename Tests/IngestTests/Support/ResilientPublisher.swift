import Foundation
import Synchronization

@testable import Ingest

/// Publishes a list of bodies at a steady rate on its own thread, with confirms, and survives a
/// broker restart the way a careful producer does: it reconnects and publishes again everything
/// the broker had not confirmed, so some messages may arrive twice and none is lost.
final class ResilientPublisher: Sendable {
    private struct Progress {
        var confirmed = 0
        var reconnects = 0
        var finished = false
        var failure: String?
    }

    private let progress = Mutex(Progress())
    private let done = DispatchSemaphore(value: 0)

    /// Starts publishing `bodies` to `exchange` at about `perSecond` messages per second.
    init(url: AMQPURL, exchange: String, bodies: [[UInt8]], perSecond: Int, giveUpAfter limit: Duration) {
        let thread = Thread {
            defer { self.done.signal() }
            let deadline = ContinuousClock.now + limit
            let interval = Duration.seconds(1) / perSecond
            var base = 0
            while base < bodies.count, ContinuousClock.now < deadline {
                do {
                    let connection = try AMQPConnection.connect(to: url)
                    defer { connection.close() }
                    try connection.enableConfirms()
                    var next = base
                    var confirmed = base
                    var pace = ContinuousClock.now
                    while confirmed < bodies.count {
                        if next < bodies.count, next - confirmed < 200 {
                            try connection.publish(exchange: exchange, routingKey: "stream.event", body: bodies[next])
                            next += 1
                            pace += interval
                            let wait = pace - ContinuousClock.now
                            if wait > .zero { Thread.sleep(forTimeInterval: wait.secondsValue) }
                        }
                        try connection.pollConfirms(timeout: next == bodies.count ? .milliseconds(50) : .zero)
                        confirmed = base + Int(connection.confirmedThrough)
                        self.progress.withLock { $0.confirmed = confirmed }
                        guard ContinuousClock.now < deadline else { throw BrokerError(message: "out of time") }
                    }
                    base = confirmed
                    try connection.waitForConfirms(timeout: .seconds(10))
                } catch {
                    base = self.progress.withLock { state in
                        state.reconnects += 1
                        return state.confirmed
                    }
                    Thread.sleep(forTimeInterval: 0.25)
                }
            }
            self.progress.withLock { state in
                state.finished = true
                if base < bodies.count { state.failure = "only \(base) of \(bodies.count) confirmed in time" }
            }
        }
        thread.start()
    }

    /// Messages confirmed so far.
    var confirmed: Int { progress.withLock { $0.confirmed } }

    /// How often the publisher had to reconnect.
    var reconnects: Int { progress.withLock { $0.reconnects } }

    /// Waits for the publisher to finish; returns why it failed, or `nil`.
    func wait() -> String? {
        done.wait()
        return progress.withLock { $0.failure }
    }
}

extension Duration {
    var secondsValue: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
