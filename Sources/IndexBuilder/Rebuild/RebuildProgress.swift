import Observability

/// Logs how far a rebuild has got, at most once a second: events indexed, rate, time left.
/// A rebuild shorter than a second logs no progress line.
struct RebuildProgress {
    private let logger: Logger
    private let expected: Int
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastReport: ContinuousClock.Instant
    private var lastStep: ContinuousClock.Instant

    init(logger: Logger, expected: Int) {
        self.logger = logger
        self.expected = expected
        started = clock.now
        lastReport = started
        lastStep = started
    }

    /// Seconds since the rebuild started.
    var elapsedSeconds: Double {
        Self.seconds(clock.now - started)
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// Called every few thousand events; logs if a second has passed since the last line.
    mutating func tick(indexed: Int) {
        let now = clock.now
        guard now - lastReport >= .seconds(1) else { return }
        lastReport = now
        let elapsed = Self.seconds(now - started)
        let rate = elapsed > 0 ? Double(indexed) / elapsed : 0
        let left = rate > 0 ? Double(Swift.max(0, expected - indexed)) / rate : 0
        logger.info(
            "rebuilding indexes",
            [
                "index.events_indexed": .int(Int64(indexed)), "index.events_expected": .int(Int64(expected)),
                "index.rate_per_second": .int(Int64(rate)), "index.seconds_left": .double(left),
            ])
    }

    /// Logs, at debug level, how long a step of the final build took since the previous one.
    mutating func step(_ name: String) {
        let now = clock.now
        let seconds = Self.seconds(now - lastStep)
        lastStep = now
        logger.debug("index rebuild step done", ["index.step": .string(name), "index.seconds": .double(seconds)])
    }

    /// Logs the end of the rebuild (at debug level: the service logs its own lifecycle line).
    func finished(indexed: Int) {
        let elapsed = elapsedSeconds
        logger.debug(
            "indexes rebuilt",
            [
                "index.events_indexed": .int(Int64(indexed)), "index.seconds": .double(elapsed),
                "index.rate_per_second": .int(Int64(elapsed > 0 ? Double(indexed) / elapsed : 0)),
            ])
    }
}
