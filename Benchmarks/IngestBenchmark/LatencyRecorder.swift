import Ingest
import Synchronization

/// Collects each event's storage latency (received to durable) from the consumer's metrics hook.
final class LatencyRecorder: IngestMetrics {
    private let samples = Mutex<[Double]>([])

    func eventStored(eventType: String, latencySeconds: Double) {
        samples.withLock { $0.append(latencySeconds) }
    }

    /// Forgets everything recorded so far.
    func reset() {
        samples.withLock { $0.removeAll(keepingCapacity: true) }
    }

    /// The given percentiles (0...100) of what was recorded, in milliseconds.
    func percentiles(_ points: [Double]) -> [Double] {
        let sorted = samples.withLock { $0.sorted() }
        guard !sorted.isEmpty else { return points.map { _ in .nan } }
        return points.map { point in
            let rank = Int((point / 100 * Double(sorted.count - 1)).rounded())
            return sorted[min(sorted.count - 1, max(0, rank))] * 1_000
        }
    }

    var count: Int { samples.withLock { $0.count } }
}
