import Observability
import SegmentStore

extension ConsumeLoop {
    /// Submits what is waiting, in batches of at most `batchSize`, unless the store is failing
    /// (then it waits for the retry to succeed).
    func flush() {
        guard !pausedForStore else { return }
        if pendingEvents.count <= configuration.batchSize, !pendingEvents.isEmpty {
            // Hand the array over whole; copying would retain every field of every event again.
            // The next batch gets its room at once rather than growing into it.
            let batch = pendingEvents
            pendingEvents = []
            pendingEvents.reserveCapacity(configuration.batchSize)
            submit(.events(batch))
        }
        while !pendingEvents.isEmpty {
            let count = min(pendingEvents.count, configuration.batchSize)
            submit(.events(Array(pendingEvents.prefix(count))))
            pendingEvents.removeFirst(count)
        }
        if !pendingRejected.isEmpty {
            submit(.rejected(pendingRejected))
            pendingRejected.removeAll()
        }
    }

    /// Hands one payload to its store; the completion is posted back to this thread.
    func submit(_ payload: Payload) {
        let number = nextSubmission
        nextSubmission += 1
        submissions[number] = payload
        let signals = self.signals
        let completion: @Sendable (Result<DurableBatch, StoreError>) -> Void = { result in
            signals.post(ConsumerSignals.Completion(submission: number, result: result, completedAt: .now()))
        }
        switch payload {
        case .events(let events): store.submit(events, completion: completion)
        case .rejected(let messages): quarantine.submit(messages, completion: completion)
        }
    }

    /// Settles the deliveries of every durable submission; parks failed ones for a retry and pauses
    /// consumption until a retry succeeds.
    func processCompletions() {
        for completion in signals.takeCompletions() {
            guard let payload = submissions.removeValue(forKey: completion.submission) else { continue }
            switch completion.result {
            case .success:
                durable(payload, at: completion.completedAt)
                if pausedForStore, failed.isEmpty, retryAt == nil {
                    pausedForStore = false
                    storeRetry.reset()
                    logger.info("the store writes again; resuming consumption")
                }
            case .failure(let error):
                failedToStore(payload, error)
            }
        }
    }

    private func durable(_ payload: Payload, at completedAt: EventTimestamp) {
        switch payload {
        case .events(let events):
            // By index: binding each event would copy (and retain) all of its fields.
            for index in events.indices {
                guard let entry = inFlight.removeValue(forKey: events[index].id) else { continue }
                entry.forEachWaiter(settle)
                let latency = Double(completedAt.microseconds - entry.receivedAt.microseconds) / 1e6
                metrics.eventStored(eventType: entry.eventType, latencySeconds: latency)
            }
            stats.stored += events.count
        case .rejected(let messages):
            for message in messages {
                guard let entry = quarantineInFlight.removeValue(forKey: message.id) else { continue }
                entry.forEachWaiter(settle)
                metrics.messageQuarantined(reason: message.reason)
            }
            stats.quarantined += messages.count
        }
    }

    private func failedToStore(_ payload: Payload, _ error: StoreError) {
        stats.storeFailures += 1
        failed.append(payload)
        var count = 0
        switch payload {
        case .events(let events):
            count = events.count
            for event in events { metrics.eventFailed(eventType: event.eventType, errorType: error.code.rawValue) }
        case .rejected(let messages):
            count = messages.count
        }
        if retryAt == nil {
            let delay = storeRetry.nextDelay()
            retryAt = ContinuousClock.now + delay
            logger.error(
                "the store cannot write; holding deliveries unacknowledged and retrying",
                [
                    "error": .string(error.description), "error.code": .string(error.code.rawValue),
                    "ingest.events": .int(Int64(count)), "retry.delay_seconds": .double(delay.seconds),
                ])
        }
        pausedForStore = true
    }

    /// Resubmits failed payloads once their backoff has passed.
    func retryIfDue() {
        guard let due = retryAt, ContinuousClock.now >= due else { return }
        retryAt = nil
        let retrying = failed
        failed.removeAll()
        logger.info("retrying store writes", ["ingest.submissions": .int(Int64(retrying.count))])
        retrying.forEach(submit)
    }
}
