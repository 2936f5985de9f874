import Foundation
import Synchronization

/// One kind of request the load repeats, with random parameters.
struct Scenario: Sendable {
    let name: String
    /// The request target for one request (path and query).
    let target: @Sendable (inout SplitMix) -> String
}

/// A small, fast random number generator, one per load thread.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Latency figures of a set of samples, in milliseconds.
struct LatencySummary {
    var count: Int
    var p50: Double
    var p99: Double
    var p999: Double
    var max: Double

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        func at(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
        }
        count = sorted.count
        p50 = at(0.50)
        p99 = at(0.99)
        p999 = at(0.999)
        max = sorted.last ?? .nan
    }
}

/// What one load run measured.
struct LoadResult {
    var scenario: String
    var clients: Int
    /// The paced request rate, or `nil` for closed loops.
    var pacedRate: Int?
    var seconds: Double
    var latency: LatencySummary
    var errors: Int
    var bytes: Int

    var requestsPerSecond: Double { Double(latency.count) / seconds }
}

/// Runs `scenario` from `clients` threads, each on its own kept-alive connection, for `seconds`
/// or until `maxRequests` requests in all, whichever comes first.
///
/// Without `pacedRate` each thread is a closed loop: the next request goes out when the answer
/// is in, so the load is as much as the server takes. With it, the threads together send
/// `pacedRate` requests a second on a fixed schedule, and a request's latency counts from when
/// it was due, so a stall also counts against the requests it delayed.
func runLoad(
    port: UInt16, scenario: Scenario, clients: Int, seconds: Double, maxRequests: Int, pacedRate: Int? = nil
) -> LoadResult {
    struct Shared {
        var latencies: [Double] = []
        var errors = 0
        var bytes = 0
    }
    let shared = Mutex(Shared())
    let issued = Atomic<Int>(0)
    let group = DispatchGroup()
    let started = Date()
    let deadline = started.addingTimeInterval(seconds)
    for client in 0..<clients {
        group.enter()
        let thread = Thread {
            defer { group.leave() }
            var random = SplitMix(state: UInt64(client + 1) &* 0x5851_F42D_4C95_7F2D)
            let connection = KeepAliveClient(port: port)
            var latencies: [Double] = []
            latencies.reserveCapacity(100_000)
            var errors = 0
            var bytes = 0
            let origin = DispatchTime.now().uptimeNanoseconds
            // Each thread sends every `clients`-th slot of the schedule, offset by its number.
            let interval = pacedRate.map { UInt64(1e9 * Double(clients) / Double($0)) }
            var slot: UInt64 = 0
            while Date() < deadline, issued.add(1, ordering: .relaxed).newValue <= maxRequests {
                let target = scenario.target(&random)
                var begin = DispatchTime.now().uptimeNanoseconds
                if let interval {
                    let due = origin + slot * interval + UInt64(client) * interval / UInt64(clients)
                    slot += 1
                    if due > begin { usleep(UInt32((due - begin) / 1_000)) }
                    begin = due
                }
                do {
                    let (status, length) = try connection.get(target)
                    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6
                    if status == 200 {
                        latencies.append(elapsed)
                        bytes += length
                    } else {
                        errors += 1
                    }
                } catch {
                    errors += 1
                }
            }
            shared.withLock {
                $0.latencies += latencies
                $0.errors += errors
                $0.bytes += bytes
            }
        }
        thread.name = "apibench.client.\(client)"
        thread.start()
    }
    group.wait()
    let elapsed = Date().timeIntervalSince(started)
    return shared.withLock {
        LoadResult(
            scenario: scenario.name, clients: clients, pacedRate: pacedRate, seconds: elapsed,
            latency: LatencySummary($0.latencies), errors: $0.errors, bytes: $0.bytes)
    }
}
