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
    /// The properties rendered as JSON (`AMQPMessageProperties.jsonBytes`).
    public var propertiesJSON: [UInt8]
    /// When Candystore received it.
    public var receivedAt: EventTimestamp

    /// Creates an incoming message.
    ///
    /// - Parameter propertiesJSON: `properties.jsonBytes`, when the caller has it already (the
    ///   consumer reuses the rendering of identical properties); rendered here otherwise.
    public init(
        body: [UInt8], routingKey: String, exchange: String, properties: AMQPMessageProperties = .init(),
        propertiesJSON: [UInt8]? = nil, receivedAt: EventTimestamp
    ) {
        self.body = body
        self.routingKey = routingKey
        self.exchange = exchange
        self.properties = properties
        self.propertiesJSON = propertiesJSON ?? properties.jsonBytes
        self.receivedAt = receivedAt
    }

    /// The message as the audit trail keeps it: body, routing key, exchange and properties as JSON.
    public var original: OriginalMessage {
        OriginalMessage(exchange: exchange, routingKey: routingKey, properties: propertiesJSON, body: body)
    }
}
