import CRabbitMQ
import Foundation

/// One connection to a RabbitMQ broker with one channel, over librabbitmq: the only place in
/// Candystore that calls into librabbitmq.
///
/// A connection belongs to the thread that created it; librabbitmq is not thread-safe, so nothing
/// else may touch it. Every failure that leaves the channel or connection unusable is reported as
/// an `AMQPError` whose `requiresReconnect` is true; the caller then closes this connection and
/// opens a new one.
public final class AMQPConnection {
    /// Connection tuning.
    public struct Options: Sendable {
        /// Heartbeat interval requested from the broker, in seconds (0 disables heartbeats). The
        /// broker's smaller value wins. Heartbeats are serviced whenever the owner waits for
        /// deliveries or confirms, so it must do that at least this often.
        public var heartbeatSeconds: Int = 30
        /// How long opening the socket and the handshake may take.
        public var connectTimeout: Duration = .seconds(10)
        /// How long a synchronous method (declare, bind, qos, consume, cancel, close) may wait for its reply.
        public var rpcTimeout: Duration = .seconds(30)
        /// Largest frame requested from the broker.
        public var frameMax: Int = 131_072
        /// The `connection_name` client property shown by `rabbitmqctl list_connections`.
        public var connectionName: String = "candystore"

        /// Default options.
        public init() {}
    }

    /// What a passive or active `queue.declare` reports.
    public struct QueueStatus: Sendable, Hashable {
        /// Messages ready for delivery (not counting unacknowledged ones).
        public var messageCount: UInt32
        /// Consumers attached to the queue.
        public var consumerCount: UInt32
    }

    private let state: amqp_connection_state_t
    private let channel: amqp_channel_t = 1
    private var usable = true
    private var destroyed = false
    private var confirms: DeliveryTagWindow?
    private var lastPublishTag: UInt64 = 0
    private var rejectedPublishes = 0
    // The values of the last delivery, reused while the next ones repeat them.
    private var receivedExchange = RepeatedText()
    private var receivedRoutingKey = RepeatedText()
    private var receivedProperties = RepeatedProperties()

    /// The URL this connection was opened with.
    public let url: AMQPURL

    private init(state: amqp_connection_state_t, url: AMQPURL) {
        self.state = state
        self.url = url
    }

    deinit {
        if !destroyed { amqp_destroy_connection(state) }
    }

    /// Opens a TCP connection, logs in with SASL PLAIN and opens channel 1.
    ///
    /// - Parameters:
    ///   - url: broker address, credentials and virtual host.
    ///   - options: timeouts and tuning.
    /// - Throws: `AMQPError` `.connectFailed` when the socket cannot be opened, `.accessRefused` when
    ///   the broker rejects the credentials or virtual host, `.timedOut` when the handshake stalls.
    public static func connect(to url: AMQPURL, options: Options = Options()) throws(AMQPError) -> AMQPConnection {
        guard let state = amqp_new_connection() else {
            throw AMQPError(.library, operation: "connect", message: "librabbitmq could not allocate a connection")
        }
        let connection = AMQPConnection(state: state, url: url)
        guard let socket = amqp_tcp_socket_new(state) else {
            throw AMQPError(.library, operation: "connect", message: "librabbitmq could not allocate a socket")
        }
        var connectTimeout = timeval(options.connectTimeout)
        let opened = amqp_socket_open_noblock(socket, url.host, Int32(url.port), &connectTimeout)
        guard opened == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(
                .connectFailed, operation: "connect",
                message: "cannot reach the broker at \(url.host):\(url.port): \(statusText(opened)); "
                    + "check that RabbitMQ runs and RABBIT_URL is right", libraryStatus: opened)
        }
        var rpcTimeout = timeval(options.rpcTimeout)
        _ = amqp_set_rpc_timeout(state, &rpcTimeout)

        try connection.handshake(options: options)
        _ = amqp_channel_open(state, connection.channel)
        try connection.check(amqp_get_rpc_reply(state), "channel.open")
        return connection
    }

    // MARK: Topology

    /// Declares an exchange (`exchange.declare`), not auto-deleted and not internal.
    ///
    /// - Parameters:
    ///   - name: the exchange name.
    ///   - type: `topic`, `direct`, `fanout` or `headers`.
    ///   - durable: whether it survives a broker restart.
    /// - Throws: `.channelClosed` (406) when it exists with other settings.
    public func declareExchange(_ name: String, type: String = "topic", durable: Bool = true) throws(AMQPError) {
        let arena = CArena()
        _ = amqp_exchange_declare(
            state, channel, arena.bytes(name), arena.bytes(type), 0, durable ? 1 : 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "exchange.declare \(name)")
    }

    /// Declares a queue (`queue.declare`).
    ///
    /// - Returns: how many messages are ready and how many consumers are attached.
    /// - Throws: `.channelClosed` (406) when it exists with other settings.
    @discardableResult
    public func declareQueue(
        _ name: String, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false
    ) throws(AMQPError) -> QueueStatus {
        try queueDeclare(name, passive: false, durable: durable, exclusive: exclusive, autoDelete: autoDelete)
    }

    /// Looks a queue up without creating it (passive `queue.declare`).
    ///
    /// - Throws: `.channelClosed` (404) when the queue does not exist; the connection must then be replaced.
    public func inspectQueue(_ name: String) throws(AMQPError) -> QueueStatus {
        try queueDeclare(name, passive: true, durable: false, exclusive: false, autoDelete: false)
    }

    private func queueDeclare(
        _ name: String, passive: Bool, durable: Bool, exclusive: Bool, autoDelete: Bool
    ) throws(AMQPError) -> QueueStatus {
        let arena = CArena()
        let reply = amqp_queue_declare(
            state, channel, arena.bytes(name), passive ? 1 : 0, durable ? 1 : 0, exclusive ? 1 : 0,
            autoDelete ? 1 : 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "queue.declare \(name)")
        guard let reply else { return QueueStatus(messageCount: 0, consumerCount: 0) }
        return QueueStatus(messageCount: reply.pointee.message_count, consumerCount: reply.pointee.consumer_count)
    }

    /// Binds a queue to an exchange (`queue.bind`).
    ///
    /// - Parameter bindingKey: the pattern; `#` receives every routing key of a topic exchange.
    public func bindQueue(_ queue: String, to exchange: String, bindingKey: String = "#") throws(AMQPError) {
        let arena = CArena()
        _ = amqp_queue_bind(
            state, channel, arena.bytes(queue), arena.bytes(exchange), arena.bytes(bindingKey), amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "queue.bind \(queue) to \(exchange)")
    }

    /// Deletes a queue (`queue.delete`), for tests and benchmarks.
    public func deleteQueue(_ name: String) throws(AMQPError) {
        let arena = CArena()
        _ = amqp_queue_delete(state, channel, arena.bytes(name), 0, 0)
        try check(amqp_get_rpc_reply(state), "queue.delete \(name)")
    }

    /// Deletes an exchange (`exchange.delete`), for tests and benchmarks.
    public func deleteExchange(_ name: String) throws(AMQPError) {
        let arena = CArena()
        _ = amqp_exchange_delete(state, channel, arena.bytes(name), 0)
        try check(amqp_get_rpc_reply(state), "exchange.delete \(name)")
    }

    // MARK: Consuming

    /// Limits how many deliveries may be unacknowledged on the channel (`basic.qos`).
    public func setPrefetch(_ count: UInt16) throws(AMQPError) {
        _ = amqp_basic_qos(state, channel, 0, count, 0)
        try check(amqp_get_rpc_reply(state), "basic.qos")
    }

    /// Starts a consumer with manual acknowledgements (`basic.consume`, `no_ack` false).
    ///
    /// - Returns: the consumer tag the broker assigned.
    public func startConsuming(queue: String) throws(AMQPError) -> String {
        let arena = CArena()
        let reply = amqp_basic_consume(state, channel, arena.bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "basic.consume \(queue)")
        guard let reply else { return "" }
        return String(amqpBytes: reply.pointee.consumer_tag)
    }

    /// Stops a consumer (`basic.cancel`). Deliveries already sent stay unacknowledged on the channel
    /// and may still arrive from `nextDelivery`.
    public func cancelConsumer(_ consumerTag: String) throws(AMQPError) {
        let arena = CArena()
        _ = amqp_basic_cancel(state, channel, arena.bytes(consumerTag))
        try check(amqp_get_rpc_reply(state), "basic.cancel")
    }

    /// Waits for the next delivery, servicing heartbeats meanwhile.
    ///
    /// Other frames that arrive are handled on the way: publisher confirms are recorded, broker
    /// closes and consumer cancellations end the wait with an error.
    ///
    /// - Parameter timeout: how long to wait; `nil` waits indefinitely, zero only looks at what is buffered.
    /// - Returns: the delivery, or `nil` when the time ran out (or a non-delivery frame was handled).
    /// - Throws: `AMQPError` whose `requiresReconnect` is true.
    public func nextDelivery(timeout: Duration?) throws(AMQPError) -> AMQPDelivery? {
        try ensureUsable("basic.consume")
        amqp_maybe_release_buffers(state)
        var frame = amqp_frame_t()
        let status: Int32
        if let timeout {
            var wait = timeval(timeout)
            status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
        } else {
            status = amqp_simple_wait_frame(state, &frame)
        }
        if status == AMQP_STATUS_TIMEOUT.rawValue { return nil }
        try checkStatus(status, "basic.consume")
        guard frame.frame_type == AMQP_FRAME_METHOD, frame.channel == channel,
            frame.payload.method.id == AMQP_BASIC_DELIVER_METHOD
        else {
            try handle(frame)
            return nil
        }
        return try readDelivery(frame.payload.method)
    }

    /// Reads the content of the `basic.deliver` in `method`: its header frame, then its body frames.
    ///
    /// This is what `amqp_consume_message` does, without its copies: the exchange, routing key and
    /// properties become Swift values straight from the decoded frames (reusing the previous
    /// delivery's when they repeat), and the body is copied once, from the frames into the delivery.
    /// The frames stay valid until the next `amqp_maybe_release_buffers`.
    private func readDelivery(_ method: amqp_method_t) throws(AMQPError) -> AMQPDelivery {
        let deliver = method.decoded!.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
        let exchange = receivedExchange.text(of: deliver.exchange)
        let routingKey = receivedRoutingKey.text(of: deliver.routing_key)

        let header = try contentFrame(AMQP_FRAME_HEADER)
        let raw = header.payload.properties.decoded!.assumingMemoryBound(to: amqp_basic_properties_t.self).pointee
        let properties = receivedProperties.properties(of: raw)
        guard let size = Int(exactly: header.payload.properties.body_size) else {
            usable = false
            throw AMQPError(.library, operation: "basic.deliver", message: "the body size does not fit in memory")
        }

        var failure: AMQPError?
        let body = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            while count < size {
                let fragment: amqp_bytes_t
                do throws(AMQPError) {
                    fragment = try contentFrame(AMQP_FRAME_BODY).payload.body_fragment
                } catch {
                    failure = error
                    return
                }
                guard fragment.len <= size - count else {
                    failure = AMQPError(
                        .library, operation: "basic.deliver", message: "the body frames exceed the announced size")
                    return
                }
                if fragment.len > 0 {
                    UnsafeMutableRawPointer(buffer.baseAddress! + count).copyMemory(
                        from: fragment.bytes, byteCount: fragment.len)
                }
                count += fragment.len
            }
        }
        if let failure {
            usable = false
            throw failure
        }
        return AMQPDelivery(
            deliveryTag: deliver.delivery_tag, redelivered: deliver.redelivered != 0, exchange: exchange,
            routingKey: routingKey, properties: properties, body: body)
    }

    /// The next content frame of a delivery on the channel, which must be of `type`; frames of other
    /// channels that arrive meanwhile are handled (a broker close ends the read with an error).
    private func contentFrame(_ type: Int32) throws(AMQPError) -> amqp_frame_t {
        while true {
            var frame = amqp_frame_t()
            try checkStatus(amqp_simple_wait_frame(state, &frame), "basic.deliver")
            if frame.channel == channel, frame.frame_type == type { return frame }
            try handle(frame)
            guard frame.channel != channel else {
                usable = false
                throw AMQPError(
                    .library, operation: "basic.deliver",
                    message: "expected a content frame of type \(type), got type \(frame.frame_type)")
            }
        }
    }

    /// Acknowledges deliveries (`basic.ack`).
    ///
    /// - Parameters:
    ///   - deliveryTag: the delivery to acknowledge.
    ///   - multiple: also acknowledge every earlier unacknowledged delivery on the channel.
    public func ack(_ deliveryTag: UInt64, multiple: Bool = true) throws(AMQPError) {
        try ensureUsable("basic.ack")
        let status = amqp_basic_ack(state, channel, deliveryTag, multiple ? 1 : 0)
        try checkStatus(status, "basic.ack")
    }

    /// The socket's file descriptor, for `poll` alongside other descriptors.
    public var socketDescriptor: Int32 { amqp_get_sockfd(state) }

    /// Whether librabbitmq holds received bytes or frames not yet returned, so `nextDelivery` can
    /// make progress without the socket becoming readable.
    public var hasBufferedInput: Bool {
        amqp_data_in_buffer(state) != 0 || amqp_frames_enqueued(state) != 0
    }

    // MARK: Publishing

    /// Puts the channel in publisher-confirm mode (`confirm.select`).
    public func enableConfirms() throws(AMQPError) {
        _ = amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "confirm.select")
        confirms = DeliveryTagWindow()
    }

    /// Publishes a message (`basic.publish`, not mandatory).
    ///
    /// - Returns: the publish sequence number the broker will confirm (counted from 1 after
    ///   `enableConfirms`; 0 when confirms are off).
    @discardableResult
    public func publish(
        exchange: String, routingKey: String, body: [UInt8],
        properties: AMQPMessageProperties = .persistentJSON()
    ) throws(AMQPError) -> UInt64 {
        try ensureUsable("basic.publish")
        let arena = CArena()
        var cProperties = properties.cValue(in: arena)
        let status = body.withUnsafeBytes { buffer in
            let bytes = amqp_bytes_t(len: buffer.count, bytes: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            return amqp_basic_publish(
                state, channel, arena.bytes(exchange), arena.bytes(routingKey), 0, 0, &cProperties, bytes)
        }
        try checkStatus(status, "basic.publish")
        guard confirms != nil else { return 0 }
        lastPublishTag += 1
        return lastPublishTag
    }

    /// The highest publish sequence number up to which the broker confirmed everything.
    public var confirmedThrough: UInt64 { confirms?.settledThrough ?? 0 }

    /// Reads whatever confirms are buffered or arrive within `timeout`, without blocking longer.
    public func pollConfirms(timeout: Duration = .zero) throws(AMQPError) {
        try ensureUsable("confirm")
        var wait = timeval(timeout)
        var frame = amqp_frame_t()
        let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return }
        try checkStatus(status, "confirm")
        try handle(frame)
        while hasBufferedInput {
            var zero = timeval(tv_sec: 0, tv_usec: 0)
            let next = amqp_simple_wait_frame_noblock(state, &frame, &zero)
            if next == AMQP_STATUS_TIMEOUT.rawValue { return }
            try checkStatus(next, "confirm")
            try handle(frame)
        }
    }

    /// Waits until every message published so far is confirmed.
    ///
    /// - Throws: `.timedOut` when confirms do not arrive within `timeout`; `.publishRejected` when
    ///   the broker negatively acknowledged any message since the last call.
    public func waitForConfirms(timeout: Duration) throws(AMQPError) {
        let deadline = ContinuousClock.now + timeout
        while confirmedThrough < lastPublishTag {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw AMQPError(
                    .timedOut, operation: "confirm",
                    message: "\(lastPublishTag - confirmedThrough) publishes unconfirmed after \(timeout)")
            }
            try pollConfirms(timeout: min(remaining, .milliseconds(100)))
        }
        if rejectedPublishes > 0 {
            let count = rejectedPublishes
            rejectedPublishes = 0
            throw AMQPError(
                .publishRejected, operation: "confirm", message: "the broker rejected \(count) published messages")
        }
    }

    // MARK: Closing

    /// Closes the channel and the connection politely when they are still usable, then frees the
    /// connection. Safe to call more than once.
    public func close() {
        guard !destroyed else { return }
        if usable {
            var quick = timeval(tv_sec: 2, tv_usec: 0)
            _ = amqp_set_rpc_timeout(state, &quick)
            _ = amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS)
            _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        }
        usable = false
        destroyed = true
        amqp_destroy_connection(state)
    }

    // MARK: Handshake

    /// The AMQP 0-9-1 handshake, step by step, because librabbitmq's `amqp_login` is variadic and
    /// cannot be called from Swift: header, start/start-ok (SASL PLAIN), tune/tune-ok, open/open-ok.
    private func handshake(options: Options) throws(AMQPError) {
        let deadline = ContinuousClock.now + options.connectTimeout
        try checkStatus(amqp_send_header(state), "connection.header")

        let start = try waitForMethod(on: 0, [AMQP_CONNECTION_START_METHOD], until: deadline, "connection.start")
        let mechanisms = start.decoded!.assumingMemoryBound(to: amqp_connection_start_t.self).pointee.mechanisms
        guard String(amqpBytes: mechanisms).split(separator: " ").contains("PLAIN") else {
            throw AMQPError(
                .accessRefused, operation: "connection.start",
                message: "the broker does not offer SASL PLAIN (offers \(String(amqpBytes: mechanisms)))")
        }

        let arena = CArena()
        let clientProperties: [AMQPHeader] = [
            AMQPHeader("product", .string("candystore")),
            AMQPHeader("connection_name", .string(options.connectionName)),
            AMQPHeader(
                "capabilities",
                .table([
                    AMQPHeader("authentication_failure_close", .bool(true)),
                    AMQPHeader("consumer_cancel_notify", .bool(true)),
                    AMQPHeader("publisher_confirms", .bool(true)),
                ])),
        ]
        var startOk = amqp_connection_start_ok_t(
            client_properties: arena.table(clientProperties), mechanism: arena.bytes("PLAIN"),
            response: arena.bytes([0] + Array(url.user.utf8) + [0] + Array(url.password.utf8)),
            locale: arena.bytes("en_US"))
        try checkStatus(amqp_send_method(state, 0, AMQP_CONNECTION_START_OK_METHOD, &startOk), "connection.start-ok")
        amqp_maybe_release_buffers(state)

        let tune = try waitForMethod(
            on: 0, [AMQP_CONNECTION_TUNE_METHOD, AMQP_CONNECTION_CLOSE_METHOD], until: deadline, "connection.tune")
        if tune.id == AMQP_CONNECTION_CLOSE_METHOD {
            let close = tune.decoded!.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            throw closedByBroker(close, operation: "login")
        }
        let offer = tune.decoded!.assumingMemoryBound(to: amqp_connection_tune_t.self).pointee
        let channelMax = offer.channel_max == 0 ? 8 : min(offer.channel_max, 8)
        let frameMax = offer.frame_max == 0 ? UInt32(options.frameMax) : min(offer.frame_max, UInt32(options.frameMax))
        var heartbeat = UInt16(clamping: options.heartbeatSeconds)
        if offer.heartbeat != 0, heartbeat == 0 || offer.heartbeat < heartbeat { heartbeat = offer.heartbeat }
        try checkStatus(
            amqp_tune_connection(state, Int32(channelMax), Int32(frameMax), Int32(heartbeat)), "connection.tune")
        var tuneOk = amqp_connection_tune_ok_t(channel_max: channelMax, frame_max: frameMax, heartbeat: heartbeat)
        try checkStatus(amqp_send_method(state, 0, AMQP_CONNECTION_TUNE_OK_METHOD, &tuneOk), "connection.tune-ok")
        amqp_maybe_release_buffers(state)

        var open = amqp_connection_open_t(
            virtual_host: arena.bytes(url.virtualHost), capabilities: amqp_empty_bytes, insist: 1)
        _ = amqp_simple_rpc_decoded(state, 0, AMQP_CONNECTION_OPEN_METHOD, AMQP_CONNECTION_OPEN_OK_METHOD, &open)
        try check(amqp_get_rpc_reply(state), "connection.open \(url.virtualHost)")
    }

    /// Reads frames until a method in `expected` arrives on `channel`, or the deadline passes.
    private func waitForMethod(
        on channel: amqp_channel_t, _ expected: [amqp_method_number_t], until deadline: ContinuousClock.Instant,
        _ operation: String
    ) throws(AMQPError) -> amqp_method_t {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw AMQPError(.timedOut, operation: operation, message: "the broker did not answer the handshake")
            }
            var wait = timeval(remaining)
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
            if status == AMQP_STATUS_TIMEOUT.rawValue { continue }
            if status == AMQP_STATUS_CONNECTION_CLOSED.rawValue || status == AMQP_STATUS_SOCKET_CLOSED.rawValue {
                usable = false
                throw AMQPError(
                    .accessRefused, operation: operation,
                    message: "the broker closed the connection during login; check the user, password and "
                        + "virtual host in RABBIT_URL (\(url))", libraryStatus: status)
            }
            try checkStatus(status, operation)
            if frame.frame_type == AMQP_FRAME_METHOD, frame.channel == channel,
                expected.contains(frame.payload.method.id)
            {
                return frame.payload.method
            }
        }
    }

    // MARK: Frames outside a reply

    private func handle(_ frame: amqp_frame_t) throws(AMQPError) {
        guard frame.frame_type == AMQP_FRAME_METHOD else { return }
        let method = frame.payload.method
        switch method.id {
        case AMQP_BASIC_ACK_METHOD:
            let ack = method.decoded!.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            settleConfirm(ack.delivery_tag, multiple: ack.multiple != 0)
        case AMQP_BASIC_NACK_METHOD:
            let nack = method.decoded!.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            let before = confirmedThrough
            settleConfirm(nack.delivery_tag, multiple: nack.multiple != 0)
            rejectedPublishes += nack.multiple != 0 ? Int(max(1, confirmedThrough - before)) : 1
        case AMQP_BASIC_RETURN_METHOD:
            var message = amqp_message_t()
            let reply = amqp_read_message(state, frame.channel, &message, 0)
            if reply.reply_type == AMQP_RESPONSE_NORMAL { amqp_destroy_message(&message) }
            try check(reply, "basic.return")
        case AMQP_BASIC_CANCEL_METHOD:
            usable = false
            throw AMQPError(
                .consumerCancelled, operation: "basic.consume",
                message: "the broker cancelled the consumer (queue deleted or node going down)")
        case AMQP_CHANNEL_CLOSE_METHOD:
            let close = method.decoded!.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            throw closedByBroker(close, operation: "channel")
        case AMQP_CONNECTION_CLOSE_METHOD:
            let close = method.decoded!.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            throw closedByBroker(close, operation: "connection")
        default:
            return
        }
    }

    private func settleConfirm(_ tag: UInt64, multiple: Bool) {
        if multiple { confirms?.settle(through: tag) } else { confirms?.settle(tag) }
    }

    // MARK: Errors

    private func ensureUsable(_ operation: String) throws(AMQPError) {
        guard usable, !destroyed else {
            throw AMQPError(.connectionLost, operation: operation, message: "the connection is closed; reconnect")
        }
    }

    /// Turns an RPC reply into success or a typed error, answering broker closes as the protocol asks.
    private func check(_ reply: amqp_rpc_reply_t, _ operation: String) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            try checkStatus(reply.library_error, operation)
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD {
                let close = reply.reply.decoded!.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                throw closedByBroker(close, operation: operation)
            }
            if reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD {
                let close = reply.reply.decoded!.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                throw closedByBroker(close, operation: operation)
            }
            usable = false
            throw AMQPError(.library, operation: operation, message: "unexpected broker method \(reply.reply.id)")
        default:
            usable = false
            throw AMQPError(.library, operation: operation, message: "librabbitmq returned no reply")
        }
    }

    /// Turns a librabbitmq status code into success or a typed error.
    private func checkStatus(_ status: Int32, _ operation: String) throws(AMQPError) {
        guard status < 0 else { return }
        usable = false
        let code: AMQPError.Code
        switch status {
        case AMQP_STATUS_TIMEOUT.rawValue:
            code = .timedOut
        case AMQP_STATUS_CONNECTION_CLOSED.rawValue, AMQP_STATUS_SOCKET_ERROR.rawValue,
            AMQP_STATUS_SOCKET_CLOSED.rawValue, AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue,
            AMQP_STATUS_TCP_ERROR.rawValue, AMQP_STATUS_BAD_AMQP_DATA.rawValue:
            code = .connectionLost
        default:
            code = .library
        }
        throw AMQPError(code, operation: operation, message: AMQPConnection.statusText(status), libraryStatus: status)
    }

    private func closedByBroker(_ close: amqp_connection_close_t, operation: String) -> AMQPError {
        var closeOk = amqp_connection_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &closeOk)
        usable = false
        let text = String(amqpBytes: close.reply_text)
        return AMQPError(
            close.reply_code == 403 ? .accessRefused : .connectionClosed, operation: operation,
            message: "the broker closed the connection", replyCode: close.reply_code, replyText: text)
    }

    private func closedByBroker(_ close: amqp_channel_close_t, operation: String) -> AMQPError {
        var closeOk = amqp_channel_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &closeOk)
        usable = false
        let text = String(amqpBytes: close.reply_text)
        return AMQPError(
            .channelClosed, operation: operation, message: "the broker closed the channel",
            replyCode: close.reply_code, replyText: text)
    }

    private static func statusText(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }
}

extension timeval {
    /// A `timeval` for a non-negative duration.
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = max(duration, .zero).components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
