/// A value in an AMQP field table (message headers such as `x-death`), as Swift sees it.
public indirect enum AMQPFieldValue: Sendable, Hashable {
    /// A boolean (`t`).
    case bool(Bool)
    /// A signed integer of any width (`b`, `s`, `I`, `l`).
    case int(Int64)
    /// An unsigned integer of any width (`B`, `u`, `i`, `L`).
    case unsigned(UInt64)
    /// A floating-point number (`f`, `d`).
    case double(Double)
    /// A decimal (`D`): `value` × 10^-`scale`.
    case decimal(scale: UInt8, value: UInt32)
    /// A long string (`S`) that is valid UTF-8.
    case string(String)
    /// A byte string (`x`), or a long string that is not valid UTF-8.
    case bytes([UInt8])
    /// A timestamp (`T`), seconds since the Unix epoch.
    case timestamp(UInt64)
    /// A nested table (`F`), entries in wire order.
    case table([AMQPHeader])
    /// An array (`A`).
    case array([AMQPFieldValue])
    /// No value (`V`).
    case void
}

/// One entry of an AMQP field table.
public struct AMQPHeader: Sendable, Hashable {
    /// The entry's name.
    public var key: String
    /// The entry's value.
    public var value: AMQPFieldValue

    /// Creates a table entry.
    public init(_ key: String, _ value: AMQPFieldValue) {
        self.key = key
        self.value = value
    }
}

/// The AMQP basic properties of a message (`amqp_basic_properties_t`); absent ones are `nil`.
public struct AMQPMessageProperties: Sendable, Hashable {
    /// MIME type of the body, for example `application/json`.
    public var contentType: String?
    /// Encoding of the body, for example `utf-8`.
    public var contentEncoding: String?
    /// Application headers, in wire order.
    public var headers: [AMQPHeader]?
    /// 1 transient, 2 persistent.
    public var deliveryMode: UInt8?
    /// Priority 0 to 9.
    public var priority: UInt8?
    /// Application correlation id.
    public var correlationId: String?
    /// Address to reply to.
    public var replyTo: String?
    /// Per-message time to live in milliseconds, as text.
    public var expiration: String?
    /// Application message id; Bloodbank's main publisher sets it to the event id.
    public var messageId: String?
    /// Seconds since the Unix epoch.
    public var timestamp: UInt64?
    /// Application message type.
    public var type: String?
    /// The user who published, as validated by the broker.
    public var userId: String?
    /// The publishing application.
    public var appId: String?

    /// Creates a set of properties; every argument is optional.
    public init(
        contentType: String? = nil, contentEncoding: String? = nil, headers: [AMQPHeader]? = nil,
        deliveryMode: UInt8? = nil, priority: UInt8? = nil, correlationId: String? = nil, replyTo: String? = nil,
        expiration: String? = nil, messageId: String? = nil, timestamp: UInt64? = nil, type: String? = nil,
        userId: String? = nil, appId: String? = nil
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationId = correlationId
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageId = messageId
        self.timestamp = timestamp
        self.type = type
        self.userId = userId
        self.appId = appId
    }

    /// The properties Bloodbank publishers set: persistent JSON in UTF-8, with an optional message id.
    public static func persistentJSON(
        messageId: String? = nil, headers: [AMQPHeader]? = nil
    )
        -> AMQPMessageProperties
    {
        AMQPMessageProperties(
            contentType: "application/json", contentEncoding: "utf-8", headers: headers, deliveryMode: 2,
            messageId: messageId)
    }
}

/// One message delivered to a consumer, copied out of librabbitmq's buffers.
public struct AMQPDelivery: Sendable {
    /// The delivery tag: dense and increasing on its channel, starting at 1.
    public var deliveryTag: UInt64
    /// Whether the broker delivered this message before (to this or another consumer).
    public var redelivered: Bool
    /// The exchange the message was published to.
    public var exchange: String
    /// The routing key it was published with.
    public var routingKey: String
    /// The message properties.
    public var properties: AMQPMessageProperties
    /// The body, byte for byte.
    public var body: [UInt8]

    /// Creates a delivery record.
    public init(
        deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String,
        properties: AMQPMessageProperties, body: [UInt8]
    ) {
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }
}
