/// What went wrong talking to the broker: the operation, the broker's reply code and text when it
/// closed the channel or connection, or librabbitmq's status when the library failed.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// The URL could not be parsed; fix `RABBIT_URL`.
        case invalidURL = "invalid_url"
        /// The TCP connection could not be opened (refused, unreachable, timed out).
        case connectFailed = "connect_failed"
        /// The broker refused the login (wrong user, password or virtual host).
        case accessRefused = "access_refused"
        /// The broker closed the connection (`connection.close`), for example on shutdown.
        case connectionClosed = "connection_closed"
        /// The broker closed the channel (`channel.close`), for example on a mismatched declaration.
        case channelClosed = "channel_closed"
        /// The broker cancelled the consumer (`basic.cancel`), for example because the queue was deleted.
        case consumerCancelled = "consumer_cancelled"
        /// The socket failed or closed, or heartbeats stopped: the connection is gone.
        case connectionLost = "connection_lost"
        /// A reply did not arrive in time.
        case timedOut = "timed_out"
        /// The broker negatively acknowledged a published message.
        case publishRejected = "publish_rejected"
        /// librabbitmq reported another failure.
        case library = "library"
    }

    /// The kind of failure.
    public var code: Code
    /// The AMQP operation that failed, for example `queue.declare`.
    public var operation: String
    /// The broker's reply code (`320` connection forced, `404` not found, `406` precondition failed).
    public var replyCode: UInt16?
    /// The broker's reply text.
    public var replyText: String?
    /// librabbitmq's status code (`amqp_status_enum`), if the library reported the failure.
    public var libraryStatus: Int32?
    /// A sentence that says what failed and what to do.
    public var message: String

    /// Creates an error.
    public init(
        _ code: Code, operation: String, message: String, replyCode: UInt16? = nil, replyText: String? = nil,
        libraryStatus: Int32? = nil
    ) {
        self.code = code
        self.operation = operation
        self.message = message
        self.replyCode = replyCode
        self.replyText = replyText
        self.libraryStatus = libraryStatus
    }

    /// Whether the connection can no longer be used and must be replaced by a new one.
    ///
    /// Every failure except a bad URL or a rejected publish leaves the connection unusable, because the
    /// wrapper keeps a single channel and a closed channel is not reopened in place.
    public var requiresReconnect: Bool {
        switch code {
        case .invalidURL, .publishRejected: false
        default: true
        }
    }

    /// The operation, the message, and the broker's or library's code.
    public var description: String {
        var text = "\(operation): \(message)"
        if let replyCode { text += " (reply \(replyCode)" + (replyText.map { " \($0)" } ?? "") + ")" }
        if let libraryStatus { text += " (librabbitmq status \(libraryStatus))" }
        return text
    }
}
