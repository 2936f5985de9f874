import Foundation
import Ingest
import Synchronization

/// Publishes numbered event bodies with confirms, as fast as the broker allows or at a fixed
/// rate, on a thread of its own.
final class BenchPublisher: Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let outcome = Mutex<(confirmed: Int, seconds: Double, error: String?)>((0, 0, nil))

    /// Starts publishing `count` bodies made by `body(n)`; `perSecond` nil means unpaced.
    init(
        url: AMQPURL, exchange: String, count: Int, perSecond: Int?, window: Int = 2_000,
        body: @escaping @Sendable (Int) -> [UInt8]
    ) {
        let thread = Thread {
            Thread.current.name = "bench-publish"
            defer { self.finished.signal() }
            let start = ContinuousClock.now
            do {
                let connection = try AMQPConnection.connect(to: url)
                defer { connection.close() }
                try connection.enableConfirms()
                let interval = perSecond.map { Duration.seconds(1) / $0 }
                var due = ContinuousClock.now
                var published = 0
                while Int(connection.confirmedThrough) < count {
                    if published < count, published - Int(connection.confirmedThrough) < window {
                        if let interval {
                            let wait = due - ContinuousClock.now
                            if wait > .milliseconds(1) {
                                try connection.pollConfirms(timeout: wait)
                                continue
                            }
                            due += interval
                        }
                        try connection.publish(exchange: exchange, routingKey: "bench.event", body: body(published))
                        published += 1
                        if published % 64 == 0 { try connection.pollConfirms() }
                    } else {
                        try connection.pollConfirms(timeout: .milliseconds(5))
                    }
                }
                let seconds = (ContinuousClock.now - start).inSeconds
                self.outcome.withLock { $0 = (count, seconds, nil) }
            } catch {
                self.outcome.withLock { $0.error = "\(error)" }
            }
        }
        thread.name = "bench.publisher"
        thread.start()
    }

    /// Waits until everything is confirmed; returns the seconds publishing took.
    func wait() throws -> Double {
        finished.wait()
        let result = outcome.withLock { $0 }
        if let error = result.error { throw BenchError(message: "publisher failed: \(error)") }
        return result.seconds
    }
}

struct BenchError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Duration {
    var inSeconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
