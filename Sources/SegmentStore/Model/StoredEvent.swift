/// One event as the store keeps it: the facts the indexes need, the normalised payload, and the
/// original message byte for byte.
///
/// Ingest builds a `StoredEvent` with `sequence` and `storedAt` unset; the writer assigns both when
/// it commits the batch that holds the event.
public struct StoredEvent: Sendable, Hashable {
    /// Dense, monotonic position in the store, assigned by the writer. Zero until assigned.
    public var sequence: UInt64
    /// The event id: the deduplication key.
    public var id: String
    /// The dotted event type, for example `transcription.voice.completed`.
    public var eventType: String
    /// The producing service.
    public var source: String
    /// The service the event is addressed to, when it names one.
    public var target: String?
    /// The agent or user session the event belongs to, when it names one.
    public var sessionId: String?
    /// The id of the event this one answers or follows from, when it names one.
    public var correlationId: String?
    /// When the event happened, as its producer says (or when it was received, if it says nothing).
    public var timestamp: EventTimestamp
    /// When Candystore received the message from the broker.
    public var receivedAt: EventTimestamp
    /// When the writer wrote the batch that holds the event; set by the store.
    public var storedAt: EventTimestamp
    /// The normalised JSON payload, as UTF-8 bytes of one JSON value.
    public var payload: [UInt8]
    /// The message exactly as the broker delivered it.
    public var original: OriginalMessage

    /// Creates an event ready to be appended.
    public init(
        id: String, eventType: String, source: String, target: String? = nil, sessionId: String? = nil,
        correlationId: String? = nil, timestamp: EventTimestamp, receivedAt: EventTimestamp,
        payload: [UInt8], original: OriginalMessage, sequence: UInt64 = 0,
        storedAt: EventTimestamp = EventTimestamp(microseconds: 0)
    ) {
        self.sequence = sequence
        self.id = id
        self.eventType = eventType
        self.source = source
        self.target = target
        self.sessionId = sessionId
        self.correlationId = correlationId
        self.timestamp = timestamp
        self.receivedAt = receivedAt
        self.storedAt = storedAt
        self.payload = payload
        self.original = original
    }

    /// The routing key the message was published with.
    public var routingKey: String { original.routingKey }

    /// Time from receipt to the write of the batch that holds the event, in milliseconds.
    public var storageLatencyMilliseconds: Double {
        Double(storedAt.microseconds - receivedAt.microseconds) / 1_000
    }

    /// The fields the indexes are built from.
    public var indexedFields: IndexedFields {
        IndexedFields(
            sequence: sequence, timestamp: timestamp, id: id, eventType: eventType, source: source,
            target: target, sessionId: sessionId, correlationId: correlationId)
    }
}

/// A message as the broker delivered it, kept byte for byte for the audit trail.
public struct OriginalMessage: Sendable, Hashable {
    /// The exchange the message was published to.
    public var exchange: String
    /// The routing key it was published with.
    public var routingKey: String
    /// The AMQP basic properties, rendered as one JSON object (`content_type`, `headers`, …).
    public var properties: [UInt8]
    /// The message body, exactly as received.
    public var body: [UInt8]

    /// Creates an original-message record.
    public init(exchange: String, routingKey: String, properties: [UInt8], body: [UInt8]) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }
}

/// The fields of an event that the secondary indexes and the query filters read.
///
/// They sit in a block of their own inside each frame, so that rebuilding the indexes decompresses
/// only these and never the payloads or original bodies.
public struct IndexedFields: Sendable, Hashable {
    /// The event's sequence number.
    public var sequence: UInt64
    /// The event timestamp.
    public var timestamp: EventTimestamp
    /// The event id.
    public var id: String
    /// The event type.
    public var eventType: String
    /// The producing service.
    public var source: String
    /// The addressed service, if any.
    public var target: String?
    /// The session id, if any.
    public var sessionId: String?
    /// The correlation id, if any.
    public var correlationId: String?

    /// Creates a set of indexed fields.
    public init(
        sequence: UInt64, timestamp: EventTimestamp, id: String, eventType: String, source: String,
        target: String?, sessionId: String?, correlationId: String?
    ) {
        self.sequence = sequence
        self.timestamp = timestamp
        self.id = id
        self.eventType = eventType
        self.source = source
        self.target = target
        self.sessionId = sessionId
        self.correlationId = correlationId
    }
}
