import SegmentStore

/// A message as it came off the broker, before it is turned into an event.
public struct IncomingMessage: Sendable {
    /// The body, byte for byte.
    public var body: [UInt8]
    /// The routing key it was published with.
    public var routingKey: String
    /// The exchange it was published to.
    public var exchange: String
    /// Its AMQP properties.
    public var properties: AMQPMessageProperties
    /// When Candystore received it.
    public var receivedAt: EventTimestamp

    /// Creates an incoming message.
    public init(
        body: [UInt8], routingKey: String, exchange: String, properties: AMQPMessageProperties = .init(),
        receivedAt: EventTimestamp
    ) {
        self.body = body
        self.routingKey = routingKey
        self.exchange = exchange
        self.properties = properties
        self.receivedAt = receivedAt
    }

    /// The message as the audit trail keeps it: body, routing key, exchange and properties as JSON.
    public var original: OriginalMessage {
        OriginalMessage(exchange: exchange, routingKey: routingKey, properties: properties.jsonBytes, body: body)
    }
}

/// A message that is not an event, with what is needed to quarantine it.
public struct RejectedMessage: Sendable {
    /// Why it is not an event.
    public var reason: QuarantineReason
    /// Where and how reading failed, for example `expected ',' or '}' at byte 57`.
    public var detail: String
    /// The id derived from its body (`DerivedEventID`), so redelivered copies are recognised.
    public var id: String
    /// The message byte for byte.
    public var original: OriginalMessage
    /// When it was received.
    public var receivedAt: EventTimestamp
}

/// What the normaliser made of a message.
public enum NormalizationResult: Sendable {
    /// An event ready to be stored, and the shape it was recognised as.
    case event(StoredEvent, EnvelopeShape)
    /// Not an event; it belongs in quarantine.
    case rejected(RejectedMessage)
}
