import Observability
import SegmentStore

/// The consume thread: owns the broker connection, turns deliveries into store submissions, and
/// acknowledges each delivery once it (and every delivery before it) is durable, a duplicate, or
/// quarantined.
///
/// Everything here runs on that one thread. The store's writer thread only posts completions to
/// `ConsumerSignals`, which wakes this thread to process them.
final class ConsumeLoop {
    /// A delivery waiting for an event to become durable before it may be acknowledged.
    struct Waiter {
        var generation: Int
        var tag: UInt64
    }

    /// An event (or quarantine record) received and not yet durable, with every delivery of its id.
    struct InFlight {
        /// The delivery that brought it.
        var first: Waiter
        /// Later deliveries of the same id (redeliveries, dead-lettered copies); usually none, so
        /// the common case allocates no array.
        var copies: [Waiter] = []
        var receivedAt: EventTimestamp
        var eventType: String

        /// Every delivery waiting for this id, the first one first.
        func forEachWaiter(_ body: (Waiter) -> Void) {
            body(first)
            copies.forEach(body)
        }
    }

    /// What one store submission carried.
    enum Payload {
        case events([StoredEvent])
        case rejected([RejectedMessage])
    }

    let configuration: IngestConfiguration
    let store: EventStore
    let quarantine: QuarantineLog
    let isStored: @Sendable (String) -> Bool
    let metrics: any IngestMetrics
    let logger: Logger
    let signals: ConsumerSignals
    private let normalizer: EnvelopeNormalizer

    // The connection. `generation` counts connections; delivery tags are only meaningful within one.
    var connection: AMQPConnection?
    var generation = 0
    var consumerTag: String?
    var tags = DeliveryTagWindow()
    var ackedThrough: UInt64 = 0
    private var reconnect: ReconnectBackoff
    private var nextConnectAttempt = ContinuousClock.now
    private var connectAttempts = 0

    // Durability: received events by id, events waiting to be submitted, submissions in the store,
    // and failed submissions waiting for their retry.
    var inFlight: [String: InFlight] = [:]
    var quarantineInFlight: [String: InFlight] = [:]
    var pendingEvents: [StoredEvent] = []
    var pendingRejected: [RejectedMessage] = []
    var submissions: [Int: Payload] = [:]
    var nextSubmission = 0
    var failed: [Payload] = []
    var retryAt: ContinuousClock.Instant?
    var storeRetry: ReconnectBackoff
    var pausedForStore = false
    var stats = IngestStatistics()
    /// The last properties seen and their JSON: most publishers send the same properties every time.
    private var lastProperties: AMQPMessageProperties?
    private var lastPropertiesJSON: [UInt8] = []

    init(
        configuration: IngestConfiguration, store: EventStore, quarantine: QuarantineLog,
        isStored: @escaping @Sendable (String) -> Bool, metrics: any IngestMetrics, logger: Logger,
        signals: ConsumerSignals
    ) {
        self.configuration = configuration
        self.store = store
        self.quarantine = quarantine
        self.isStored = isStored
        self.metrics = metrics
        self.logger = logger
        self.signals = signals
        self.normalizer = EnvelopeNormalizer(maxEventBytes: configuration.maxEventBytes)
        self.reconnect = ReconnectBackoff(
            initial: configuration.reconnectInitialDelay, maximum: configuration.reconnectMaximumDelay)
        self.storeRetry = ReconnectBackoff(
            initial: configuration.storeRetryInitialDelay, maximum: configuration.storeRetryMaximumDelay)
    }

    /// Runs until a stop is requested, then drains and closes.
    func run() {
        logger.info(
            "ingest consumer starting",
            [
                "amqp.url": .string(configuration.rabbitURL.description),
                "amqp.queue": .string(configuration.queueName),
                "amqp.exchange": .string(configuration.exchangeName),
            ])
        while !signals.stopRequested {
            step()
        }
        drainAndClose()
    }

    /// One turn: settle what became durable, retry failed writes, (re)connect, acknowledge, read.
    private func step() {
        processCompletions()
        retryIfDue()
        guard let connection else {
            connectIfDue()
            publishStatistics()
            return
        }
        do {
            try acknowledge()
            try updateConsumer(on: connection)
            try readAvailable(from: connection)
        } catch {
            connectionLost(error)
        }
        publishStatistics()
    }

    // MARK: Connecting

    private func connectIfDue() {
        let now = ContinuousClock.now
        guard now >= nextConnectAttempt else {
            _ = signals.wait(socket: nil, timeout: min(nextConnectAttempt - now, .milliseconds(200)))
            return
        }
        if connectAttempts > 0 { metrics.reconnectAttempted() }
        connectAttempts += 1
        var opened: AMQPConnection?
        do {
            let candidate = try AMQPConnection.connect(to: configuration.rabbitURL, options: configuration.connection)
            opened = candidate
            try candidate.declareExchange(configuration.exchangeName, type: "topic", durable: true)
            try candidate.declareQueue(configuration.queueName, durable: true, exclusive: false, autoDelete: false)
            try candidate.bindQueue(configuration.queueName, to: configuration.exchangeName, bindingKey: "#")
            try candidate.setPrefetch(configuration.prefetchCount)
        } catch {
            opened?.close()
            let delay = reconnect.nextDelay()
            nextConnectAttempt = ContinuousClock.now + delay
            let refused = (error as AMQPError).code == .accessRefused
            logger.log(
                refused ? .error : .warning,
                "cannot connect to the broker; retrying",
                [
                    "error": .string(error.description), "retry.delay_seconds": .double(delay.seconds),
                    "amqp.url": .string(configuration.rabbitURL.description),
                ])
            return
        }
        connection = opened
        generation += 1
        tags = DeliveryTagWindow()
        ackedThrough = 0
        consumerTag = nil
        reconnect.reset()
        connectAttempts = 0
        stats.connections += 1
        metrics.connectionChanged(connected: true)
        logger.info(
            "connected to the broker",
            [
                "amqp.url": .string(configuration.rabbitURL.description),
                "amqp.queue": .string(configuration.queueName),
                "amqp.prefetch": .int(Int64(configuration.prefetchCount)),
            ])
    }

    private func connectionLost(_ error: AMQPError) {
        logger.warning(
            "lost the broker connection; reconnecting",
            ["error": .string(error.description), "ingest.in_flight": .int(Int64(inFlight.count))])
        connection?.close()
        connection = nil
        consumerTag = nil
        stats.disconnections += 1
        stats.isConsuming = false
        metrics.connectionChanged(connected: false)
        let delay = reconnect.nextDelay()
        connectAttempts = 1
        nextConnectAttempt = ContinuousClock.now + delay
        // What was received is still stored (its deliveries come back and are recognised).
        flush()
    }

    /// Consumes while the store writes; cancels the consumer while it cannot, so messages stay in
    /// the broker.
    private func updateConsumer(on connection: AMQPConnection) throws(AMQPError) {
        if pausedForStore, let tag = consumerTag {
            try connection.cancelConsumer(tag)
            consumerTag = nil
            stats.isConsuming = false
            logger.warning("stopped taking deliveries until the store can write again")
        } else if !pausedForStore, consumerTag == nil {
            consumerTag = try connection.startConsuming(queue: configuration.queueName)
            stats.isConsuming = true
            logger.info("consuming", ["amqp.queue": .string(configuration.queueName)])
        }
    }

    // MARK: Reading

    /// Waits for input (or a wake-up), then handles up to one batch of deliveries that are ready.
    ///
    /// Events wait in `pendingEvents` until a batch is full or the thread is about to sleep: while
    /// the broker keeps sending, the store is woken once per batch instead of once per read.
    private func readAvailable(from connection: AMQPConnection) throws(AMQPError) {
        if !connection.hasBufferedInput {
            // Look without waiting first; sleep only when nothing is there.
            var ready = signals.wait(socket: connection.socketDescriptor, timeout: .zero)
            if !ready.socket {
                // A wake-up means completions: settle them before sleeping.
                guard !ready.woken else { return }
                flush()
                try acknowledge()
                var timeout = Duration.milliseconds(100)
                if let retryAt { timeout = min(timeout, max(.zero, retryAt - ContinuousClock.now)) }
                ready = signals.wait(socket: connection.socketDescriptor, timeout: timeout)
            }
            guard ready.socket else {
                // Nothing arrived: a zero-timeout read still services heartbeats.
                if let delivery = try connection.nextDelivery(timeout: .zero) { handle(delivery) }
                return
            }
        }
        var handled = 0
        while handled < configuration.batchSize, let delivery = try connection.nextDelivery(timeout: .zero) {
            handle(delivery)
            handled += 1
            // Back to poll rather than a read that would find the socket empty (two system calls).
            guard connection.hasBufferedInput else { break }
        }
    }

    /// Normalises one delivery and decides its fate: a new event, a duplicate, or a quarantine record.
    func handle(_ delivery: AMQPDelivery) {
        stats.delivered += 1
        if lastProperties != delivery.properties {
            lastProperties = delivery.properties
            lastPropertiesJSON = delivery.properties.jsonBytes
        }
        let message = IncomingMessage(
            body: delivery.body, routingKey: delivery.routingKey, exchange: delivery.exchange,
            properties: delivery.properties, propertiesJSON: lastPropertiesJSON, receivedAt: .now())
        let waiter = Waiter(generation: generation, tag: delivery.deliveryTag)
        switch normalizer.normalize(message) {
        case .event(let event, _):
            metrics.eventReceived(eventType: event.eventType, source: event.source)
            if inFlight[event.id] != nil {
                inFlight[event.id]!.copies.append(waiter)
                countDuplicate(event.id, redelivered: delivery.redelivered)
            } else if isStored(event.id) {
                settle(waiter)
                countDuplicate(event.id, redelivered: delivery.redelivered)
            } else {
                inFlight[event.id] = InFlight(first: waiter, receivedAt: message.receivedAt, eventType: event.eventType)
                pendingEvents.append(event)
                if pendingEvents.count >= configuration.batchSize { flush() }
            }
        case .rejected(let rejected):
            if quarantineInFlight[rejected.id] != nil {
                quarantineInFlight[rejected.id]!.copies.append(waiter)
                countDuplicate(rejected.id, redelivered: delivery.redelivered)
            } else if quarantine.contains(rejected.id) {
                settle(waiter)
                countDuplicate(rejected.id, redelivered: delivery.redelivered)
            } else {
                logger.warning(
                    "message is not an event; quarantining it",
                    [
                        "quarantine.reason": .string(rejected.reason.rawValue),
                        "quarantine.detail": .string(rejected.detail),
                        "amqp.routing_key": .string(delivery.routingKey),
                        "message.bytes": .int(Int64(delivery.body.count)),
                    ])
                quarantineInFlight[rejected.id] = InFlight(
                    first: waiter, receivedAt: message.receivedAt,
                    eventType: "quarantine." + rejected.reason.rawValue)
                pendingRejected.append(rejected)
            }
        }
    }

    private func countDuplicate(_ id: String, redelivered: Bool) {
        stats.duplicates += 1
        metrics.duplicateAcknowledged()
        logger.debug("duplicate delivery", ["event.id": .string(id), "amqp.redelivered": .bool(redelivered)])
    }

    // MARK: Acknowledging

    /// Marks a delivery of the current connection settled; deliveries of older connections cannot be
    /// acknowledged any more and come back from the broker instead.
    func settle(_ waiter: Waiter) {
        guard waiter.generation == generation else { return }
        tags.settle(waiter.tag)
    }

    /// Sends one `basic.ack` with `multiple` for everything settled since the last one.
    func acknowledge() throws(AMQPError) {
        guard let connection, tags.settledThrough > ackedThrough else { return }
        try connection.ack(tags.settledThrough, multiple: true)
        stats.acknowledged += Int(tags.settledThrough - ackedThrough)
        stats.ackFrames += 1
        ackedThrough = tags.settledThrough
    }

    func publishStatistics() {
        stats.inFlight = inFlight.count + quarantineInFlight.count
        stats.isPausedForStore = pausedForStore
        let snapshot = stats
        signals.statistics.withLock { $0 = snapshot }
    }

    // MARK: Stopping

    /// Stops consuming, waits (up to the shutdown timeout) until everything received is durable and
    /// acknowledged, then closes the connection.
    private func drainAndClose() {
        logger.info("ingest consumer stopping", ["ingest.in_flight": .int(Int64(inFlight.count))])
        let deadline = ContinuousClock.now + configuration.shutdownTimeout
        if let connection, let tag = consumerTag {
            do {
                try connection.cancelConsumer(tag)
            } catch {
                connectionLost(error)
            }
            consumerTag = nil
        }
        stats.isConsuming = false
        while ContinuousClock.now < deadline {
            processCompletions()
            retryIfDue()
            flush()
            if let connection {
                do {
                    try acknowledge()
                    while let delivery = try connection.nextDelivery(timeout: .zero) { handle(delivery) }
                } catch {
                    connectionLost(error)
                }
            }
            publishStatistics()
            if inFlight.isEmpty, quarantineInFlight.isEmpty { break }
            _ = signals.wait(socket: nil, timeout: .milliseconds(50))
        }
        if !inFlight.isEmpty || !quarantineInFlight.isEmpty {
            logger.warning(
                "stopped with events not yet durable; the broker will deliver them again",
                ["ingest.in_flight": .int(Int64(inFlight.count + quarantineInFlight.count))])
        }
        connection?.close()
        connection = nil
        publishStatistics()
        logger.info(
            "ingest consumer stopped",
            ["ingest.stored": .int(Int64(stats.stored)), "ingest.acknowledged": .int(Int64(stats.acknowledged))])
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
