import Foundation
import Ingest
import Synchronization

/// The broker's own ceiling: a consumer that stores nothing and acknowledges with `multiple` as
/// soon as a batch is read, with the same prefetch and batch size as the real consumer.
final class BaselineConsumer: Sendable {
    private let acknowledged = Atomic<Int>(0)
    private let stopFlag = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(url: AMQPURL, queue: String, prefetch: UInt16, batchSize: Int) {
        let thread = Thread {
            Thread.current.name = "bench-baseline"
            defer { self.finished.signal() }
            do {
                let connection = try AMQPConnection.connect(to: url)
                defer { connection.close() }
                try connection.setPrefetch(prefetch)
                _ = try connection.startConsuming(queue: queue)
                var unacked = 0
                var lastTag: UInt64 = 0
                while !self.stopFlag.load(ordering: .relaxed) {
                    let timeout: Duration = unacked > 0 ? .zero : .milliseconds(50)
                    if let delivery = try connection.nextDelivery(timeout: timeout) {
                        lastTag = delivery.deliveryTag
                        unacked += 1
                        if unacked < batchSize { continue }
                    }
                    if unacked > 0 {
                        try connection.ack(lastTag, multiple: true)
                        self.acknowledged.add(unacked, ordering: .relaxed)
                        unacked = 0
                    }
                }
            } catch {
                print("baseline consumer failed: \(error)")
            }
        }
        thread.name = "bench.baseline"
        thread.start()
    }

    var count: Int { acknowledged.load(ordering: .relaxed) }

    func stop() {
        stopFlag.store(true, ordering: .relaxed)
        finished.wait()
    }
}
