import Dispatch
import Foundation
import IndexBuilder
import Ingest
import Observability
import QueryServer
import SegmentStore
import Synchronization

/// `candystore serve`: the whole service in one process.
///
/// Start-up runs the data's way in reverse: open and recover the store, start the API (which
/// answers `/health` as `starting` meanwhile), rebuild the indexes from the segments, then start
/// consuming. SIGTERM and SIGINT stop intake, let in-flight batches become durable and be
/// acknowledged, close the connection and the store, and return.
public enum CandystoreService {
    /// Runs the service until SIGTERM or SIGINT.
    ///
    /// - Returns: the process exit status: 0 after a clean shutdown, 1 if start-up failed.
    public static func serve(_ configuration: Configuration, logger: Logger) -> Int32 {
        let dataDirectory: String
        do {
            dataDirectory = try configuration.prepareDataDirectory()
        } catch {
            logger.error("\(error)")
            return ConfigurationError.exitCode
        }
        let metrics = CandystoreMetrics()
        let bridge = MetricsBridge(metrics: metrics)
        let stopRequested = SignalWaiter(signals: [SIGTERM, SIGINT])

        var storeOptions = StoreOptions(directory: dataDirectory)
        storeOptions.segmentBytes = configuration.segmentBytes
        let store: EventStore
        let quarantine: QuarantineLog
        do {
            store = try EventStore.open(storeOptions, logger: logger.labeled("segment-store"))
            quarantine = try QuarantineLog(
                directory: QuarantineLog.directory(inDataDirectory: dataDirectory), logger: logger.labeled("quarantine")
            )
        } catch {
            logger.error("cannot open the store", ["error": .string(error.description)])
            return 1
        }
        if store.recovery.truncatedBytes > 0 {
            metrics.recoveryTruncations.increment()
            metrics.recoveryTruncatedBytes.increment(by: store.recovery.truncatedBytes)
        }
        store.addDurabilityObserver { batch in bridge.batchCommitted(batch) }
        metrics.registry.beforeCollect { bridge.refresh(from: store) }

        let service = IndexedQueryService(store: store)
        let endpoints: HTTPEndpoints
        do {
            endpoints = try HTTPEndpoints.start(configuration, service: service, metrics: metrics, logger: logger)
        } catch {
            logger.error("cannot start the HTTP API", ["error": .string("\(error)")])
            store.close()
            return 1
        }

        service.starting("rebuilding the indexes")
        let rebuildStart = DispatchTime.now().uptimeNanoseconds
        let index: EventIndex
        do {
            index = try EventIndex.rebuild(from: store, logger: logger.labeled("index"))
        } catch {
            logger.error("cannot rebuild the indexes", ["error": .string(error.description)])
            endpoints.stop()
            store.close()
            return 1
        }
        let rebuildSeconds = Double(DispatchTime.now().uptimeNanoseconds - rebuildStart) / 1e9
        metrics.indexRebuildDuration.set(rebuildSeconds)
        metrics.indexReady.set(1)
        service.ready(index)
        logger.info(
            "indexes rebuilt",
            ["index.events": .int(Int64(store.statistics.eventCount)), "index.seconds": .double(rebuildSeconds)])

        var ingest = IngestConfiguration(rabbitURL: configuration.rabbitURL)
        ingest.exchangeName = configuration.exchangeName
        ingest.queueName = configuration.queueName
        ingest.prefetchCount = UInt16(clamping: configuration.prefetchCount)
        ingest.batchSize = configuration.batchSize
        ingest.maxEventBytes = configuration.maxEventBytes
        let consumer = IngestConsumer(
            configuration: ingest, store: store, quarantine: quarantine,
            isStored: { id in
                index.snapshot().sequence(forEventID: id) { (try? store.indexedFields(at: $0).id) == id } != nil
            },
            metrics: bridge, logger: logger.labeled("ingest"))
        service.attach(consumer)
        consumer.start()
        logger.info(
            "candystore serving",
            [
                "api.address": .string("\(configuration.apiHost):\(endpoints.api.port)"),
                "amqp.queue": .string(configuration.queueName), "store.directory": .string(dataDirectory),
            ])

        let signal = stopRequested.wait()
        logger.info("shutting down", ["signal": .int(Int64(signal))])
        consumer.stop()
        endpoints.stop()
        quarantine.close()
        store.close()
        logger.info("stopped")
        return 0
    }
}

/// Blocks until one of the given signals arrives. The signals' default action is turned off and
/// they are delivered to dispatch sources, so no handler code runs on an interrupted thread.
final class SignalWaiter: @unchecked Sendable {
    // Sendable: `sources` is written only in `init`, before the object is shared, and then only read.
    private var sources: [any DispatchSourceSignal] = []
    private let received = DispatchSemaphore(value: 0)
    private let signalNumber = Atomic<Int32>(0)

    init(signals: [Int32]) {
        let queue = DispatchQueue(label: "candystore.signals")
        for number in signals {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                signalNumber.store(number, ordering: .releasing)
                received.signal()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Waits for a signal and returns its number.
    func wait() -> Int32 {
        received.wait()
        for source in sources { source.cancel() }
        return signalNumber.load(ordering: .acquiring)
    }
}
