/// Ready-made upper bounds for ``Histogram`` buckets.
///
/// A bucket counts observations less than or equal to its bound; the `+Inf` bucket is always added
/// at render time and need not be listed.
public enum HistogramBuckets {
    /// Latencies from 100 µs to 10 s, for storage and request timings in seconds.
    public static let latencySeconds: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// Batch sizes from 1 to 4,096 events, in powers of two.
    public static let batchSizes: [Double] = exponential(start: 1, factor: 2, count: 13)

    /// `count` bounds starting at `start`, each `factor` times the previous one.
    ///
    /// - Parameters:
    ///   - start: The first bound; must be positive.
    ///   - factor: The ratio between neighbouring bounds; must be greater than 1.
    ///   - count: How many bounds; must be at least 1.
    public static func exponential(start: Double, factor: Double, count: Int) -> [Double] {
        precondition(start > 0 && factor > 1 && count >= 1, "exponential buckets need start > 0, factor > 1")
        var bounds = [Double]()
        bounds.reserveCapacity(count)
        var bound = start
        for _ in 0..<count {
            bounds.append(bound)
            bound *= factor
        }
        return bounds
    }

    /// `count` bounds starting at `start`, `width` apart.
    ///
    /// - Parameters:
    ///   - start: The first bound.
    ///   - width: The distance between neighbouring bounds; must be positive.
    ///   - count: How many bounds; must be at least 1.
    public static func linear(start: Double, width: Double, count: Int) -> [Double] {
        precondition(width > 0 && count >= 1, "linear buckets need width > 0 and count >= 1")
        return (0..<count).map { start + Double($0) * width }
    }
}
