import Foundation
import Observability
import SegmentStore
import Synchronization

/// Consumes every message published to Bloodbank and stores each event once, acknowledging a
/// delivery only after the batch holding it is durable.
///
/// The consumer runs on a thread of its own, the only one that touches the broker connection. It
/// declares the exchange (topic, durable) and its queue (durable, shared, kept), binds the queue
/// with `#`, sets `basic.qos` to the prefetch count and consumes with manual acknowledgements.
/// Each delivery is normalised (`EnvelopeNormalizer`), checked against the stored ids and the ids
/// in flight, and submitted to the store; messages that are not events go to the quarantine log.
/// Acknowledgements are `basic.ack` with `multiple`, up to the highest delivery tag below which
/// every delivery is durable, a duplicate or quarantined.
///
/// When the store fails, the consumer stops taking deliveries (it cancels its consumer; what the
/// broker holds stays there), retries the failed writes with backoff and resumes by itself. When
/// the connection is lost, it reconnects with exponential backoff and jitter, redeclares
/// everything and deduplicates the deliveries the broker sends again.
public final class IngestConsumer: Sendable {
    private enum Phase {
        case idle, running, stopped
    }

    private let configuration: IngestConfiguration
    private let store: EventStore
    private let quarantine: QuarantineLog
    private let isStored: @Sendable (String) -> Bool
    private let metrics: any IngestMetrics
    private let logger: Logger
    private let signals = ConsumerSignals()
    private let phase = Mutex(Phase.idle)
    private let finished = DispatchSemaphore(value: 0)

    /// Creates a consumer; nothing happens until `start()`.
    ///
    /// - Parameters:
    ///   - configuration: broker, names, batching and retry settings.
    ///   - store: where events go.
    ///   - quarantine: where messages that are not events go.
    ///   - isStored: whether an event with this id is already durable in `store`; backed by the id
    ///     index, which must learn of each batch (a durability observer) before the batch's
    ///     submitter does. Called on the consume thread.
    ///   - metrics: where counts and latencies are reported.
    ///   - logger: for lifecycle (info), broker trouble (warning) and store failures (error).
    public init(
        configuration: IngestConfiguration, store: EventStore, quarantine: QuarantineLog,
        isStored: @escaping @Sendable (String) -> Bool, metrics: any IngestMetrics = NoIngestMetrics(),
        logger: Logger = .disabled
    ) {
        self.configuration = configuration
        self.store = store
        self.quarantine = quarantine
        self.isStored = isStored
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts the consume thread. Calling it again, or after `stop()`, does nothing.
    public func start() {
        let shouldStart = phase.withLock { phase -> Bool in
            guard phase == .idle else { return false }
            phase = .running
            return true
        }
        guard shouldStart else { return }
        let (configuration, store, quarantine, isStored) = (configuration, store, quarantine, isStored)
        let (metrics, logger, signals, finished) = (metrics, logger, signals, finished)
        let thread = Thread {
            // Named from inside, so the kernel sees it too (`top -H`, /proc; at most 15 bytes).
            // Through the kernel's file (glibc's pthread_setname_np is not visible to Swift):
            // `Thread.current.name` is lost when the thread runs before Foundation has recorded
            // its handle, which happens.
            if let comm = fopen("/proc/thread-self/comm", "w") {
                fputs("cs-ingest", comm)
                fclose(comm)
            }
            let loop = ConsumeLoop(
                configuration: configuration, store: store, quarantine: quarantine, isStored: isStored,
                metrics: metrics, logger: logger, signals: signals)
            loop.run()
            finished.signal()
        }
        thread.name = "cs-ingest"
        thread.start()
    }

    /// Stops gracefully: stops consuming, waits until what is in flight is durable and
    /// acknowledged (up to `shutdownTimeout`), closes the connection and ends the thread.
    ///
    /// Blocks the caller until the thread has ended. Safe to call more than once.
    public func stop() {
        let wasRunning = phase.withLock { phase -> Bool in
            defer { phase = .stopped }
            return phase == .running
        }
        guard wasRunning else { return }
        signals.requestStop()
        finished.wait()
    }

    /// The running totals.
    public var statistics: IngestStatistics {
        signals.statistics.withLock { $0 }
    }
}
