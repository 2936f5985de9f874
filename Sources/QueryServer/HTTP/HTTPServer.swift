import CMicroHTTPD
import Foundation
import Observability
import Synchronization

/// An HTTP/1.1 server on libmicrohttpd that hands every request to an ``HTTPHandler``.
///
/// libmicrohttpd runs its own pool of worker threads (`MHD_USE_INTERNAL_POLLING_THREAD` with
/// `.THREAD_POOL_SIZE`), each polling with epoll; the handler runs on those threads,
/// never on the Swift cooperative pool. The library itself answers what never reaches the
/// handler: malformed request lines (400), request lines or headers beyond the per-connection
/// memory budget (414, 431).
///
/// This file owns every raw call into libmicrohttpd; no libmicrohttpd type is visible outside it.
public final class HTTPServer: Sendable {
    /// The address the server was asked to bind.
    public let host: String
    /// The TCP port it listens on (the one picked by the system when port 0 was asked for).
    public let port: UInt16
    private let running: Mutex<RunningDaemon?>
    private let logger: Logger

    private init(host: String, port: UInt16, running: RunningDaemon, logger: Logger) {
        self.host = host
        self.port = port
        self.running = Mutex(running)
        self.logger = logger
    }

    deinit {
        stop()
    }

    /// Binds, listens and starts serving.
    ///
    /// - Parameters:
    ///   - options: Address, limits and thread count.
    ///   - handler: Answers every request that parses.
    ///   - logger: Receives lifecycle lines at info and library messages at debug.
    /// - Returns: The running server; it stops when ``stop()`` is called or it is released.
    /// - Throws: `HTTPServerError` when the options are out of range, the address cannot be bound
    ///   or the library refuses to start.
    public static func start(
        _ options: HTTPServerOptions, handler: any HTTPHandler, logger: Logger = .disabled
    ) throws(HTTPServerError) -> HTTPServer {
        try validate(options)
        let socket = try ListeningSocket.open(host: options.host, port: options.port, backlog: options.listenBacklog)
        let context = Unmanaged.passRetained(
            HandlerContext(handler: handler, logger: logger, workerNiceness: options.workerNiceness))
        guard let daemon = startDaemon(options, socket: socket, context: context.toOpaque()) else {
            let detail = context.takeUnretainedValue().lastLibraryMessage() ?? "no reason given"
            context.release()
            socket.close()
            throw HTTPServerError(
                .startFailed, "libmicrohttpd did not start on \(options.host):\(socket.port): \(detail)")
        }
        let server = HTTPServer(
            host: options.host, port: socket.port, running: RunningDaemon(daemon: daemon, context: context),
            logger: logger)
        logger.info(
            "listening",
            [
                "http.server": .string(options.name), "http.host": .string(options.host),
                "http.port": .int(Int64(socket.port)), "http.threads": .int(Int64(options.threadCount)),
            ])
        return server
    }

    /// Stops accepting connections, waits for the worker threads to finish the requests in hand,
    /// and closes the socket. Calling it again does nothing.
    public func stop() {
        let taken = running.withLock { state -> RunningDaemon? in
            let current = state
            state = nil
            return current
        }
        guard let daemon = taken else { return }
        // Closes the listening socket too, since the daemon owns it from start on.
        MHD_stop_daemon(daemon.daemon)
        daemon.context.release()
        logger.info("stopped", ["http.port": .int(Int64(port))])
    }

    private static func validate(_ options: HTTPServerOptions) throws(HTTPServerError) {
        func check(_ condition: Bool, _ message: String) throws(HTTPServerError) {
            if !condition { throw HTTPServerError(.invalidOptions, message) }
        }
        try check((1...1_024).contains(options.threadCount), "thread count must be 1-1024, not \(options.threadCount)")
        try check(options.connectionLimit >= 1, "connection limit must be at least 1")
        try check(options.connectionTimeoutSeconds >= 0, "connection timeout must not be negative")
        try check(options.connectionMemoryLimit >= 4_096, "connection memory limit must be at least 4096 bytes")
        try check(options.listenBacklog >= 1, "listen backlog must be at least 1")
    }

    private static func startDaemon(
        _ options: HTTPServerOptions, socket: ListeningSocket, context: UnsafeMutableRawPointer
    ) -> OpaquePointer? {
        func item(_ option: MHD_OPTION, _ value: Int, _ pointer: UnsafeMutableRawPointer? = nil) -> MHD_OptionItem {
            MHD_OptionItem(option: option, value: value, ptr_value: pointer)
        }
        let logFunction: MHD_LogCallback = libraryLogCallback
        var items = [
            item(.EXTERNAL_LOGGER, unsafeBitCast(logFunction, to: Int.self), context),
            item(.LISTEN_SOCKET, Int(socket.descriptor)),
            item(.THREAD_POOL_SIZE, options.threadCount),
            item(.CONNECTION_LIMIT, options.connectionLimit),
            item(.CONNECTION_TIMEOUT, options.connectionTimeoutSeconds),
            item(.CONNECTION_MEMORY_LIMIT, options.connectionMemoryLimit),
            item(.PER_IP_CONNECTION_LIMIT, 0),
            item(.END, 0),
        ]
        let flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_ITC.rawValue
            | MHD_USE_ERROR_LOG.rawValue
        return items.withUnsafeMutableBufferPointer { buffer in
            withVaList([MHD_OPTION.ARRAY.rawValue, buffer.baseAddress!, MHD_OPTION.END.rawValue]) { arguments in
                MHD_start_daemon_va(flags, 0, nil, nil, accessCallback, context, arguments)
            }
        }
    }
}

/// A started daemon and the handler context its callbacks borrow.
///
/// `@unchecked Sendable`: the daemon pointer is used only to stop it, once, under the server's mutex,
/// and libmicrohttpd allows stopping from any thread.
private struct RunningDaemon: @unchecked Sendable {
    let daemon: OpaquePointer
    let context: Unmanaged<HandlerContext>
}

/// What the C callbacks reach through their closure pointer: the handler and the logger.
private final class HandlerContext: Sendable {
    let handler: any HTTPHandler
    let logger: Logger
    let workerNiceness: Int32
    private let lastMessage = Mutex<String?>(nil)

    init(handler: any HTTPHandler, logger: Logger, workerNiceness: Int32) {
        self.handler = handler
        self.logger = logger
        self.workerNiceness = workerNiceness
    }

    func recordLibraryMessage(_ message: String) {
        lastMessage.withLock { $0 = message }
        logger.debug("libmicrohttpd", ["http.detail": .string(message)])
    }

    func lastLibraryMessage() -> String? {
        lastMessage.withLock { $0 }
    }
}

/// Where a request stands between the calls the library makes for it, kept in its `con_cls` slot.
private enum RequestStage: Int {
    /// Headers are in and no body is announced; answer on the next call, which keeps the connection
    /// alive for the next request.
    case awaitingEnd = 1
    /// The response is queued; further calls only deliver body bytes to discard.
    case answered = 2

    init?(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return nil }
        self.init(rawValue: Int(bitPattern: pointer))
    }

    var pointer: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: rawValue) }
}

/// The access handler: builds an `HTTPRequest`, asks the Swift handler, queues its response.
///
/// A request without a body is answered on the library's second call, once the request is
/// complete, so the connection can be kept alive. A request that announces a body is answered at
/// once: the API reads no bodies, and the library then discards the body and closes the connection.
private func accessCallback(
    _ closure: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?, _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?, _ requestState: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let closure, let connection, let requestState else { return .NO }
    switch RequestStage(requestState.pointee) {
    case nil:
        if !announcesBody(connection) {
            requestState.pointee = RequestStage.awaitingEnd.pointer
            return .YES
        }
    case .awaitingEnd:
        if let uploadDataSize, uploadDataSize.pointee > 0 {
            uploadDataSize.pointee = 0
            return .YES
        }
    case .answered:
        uploadDataSize?.pointee = 0
        return .YES
    }
    requestState.pointee = RequestStage.answered.pointer

    let context = Unmanaged<HandlerContext>.fromOpaque(closure).takeUnretainedValue()
    if context.workerNiceness > 0 { lowerThreadPriority(to: context.workerNiceness) }
    let request = HTTPRequest(
        method: method.map { String(cString: $0) } ?? "",
        path: url.map { String(cString: $0) } ?? "/",
        version: version.map { String(cString: $0) } ?? "",
        queryItems: connectionValues(connection, kind: .GET_ARGUMENT_KIND).map {
            HTTPQueryItem(name: $0.0, value: $0.1)
        },
        headers: connectionValues(connection, kind: .HEADER_KIND).map { HTTPHeader(name: $0.0, value: $0.1) })
    let response = context.handler.handle(request)
    return queue(response, on: connection, logger: context.logger)
}

/// Gives the calling thread the nice value `niceness`, unless it already has it: a getpriority
/// call, well under a microsecond, on every later request. Linux keeps a nice value per thread,
/// and `PRIO_PROCESS` with id 0 names the calling thread.
private func lowerThreadPriority(to niceness: Int32) {
    let which = __priority_which_t(PRIO_PROCESS.rawValue)
    errno = 0
    let current = getpriority(which, 0)
    guard errno == 0, current < niceness else { return }
    _ = setpriority(which, 0, niceness)
}

/// Whether the request says a body follows (`Transfer-Encoding`, or a `Content-Length` above 0).
private func announcesBody(_ connection: OpaquePointer) -> Bool {
    if MHD_lookup_connection_value(connection, .HEADER_KIND, "Transfer-Encoding") != nil { return true }
    guard let length = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length") else { return false }
    return String(cString: length).trimmingCharacters(in: .whitespaces) != "0"
}

/// Hands `response` to the library for sending.
private func queue(_ response: HTTPResponse, on connection: OpaquePointer, logger: Logger) -> MHD_Result {
    let created = response.body.withUnsafeBytes { bytes in
        MHD_create_response_from_buffer(
            bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
    }
    guard let created else {
        logger.warning("could not allocate a response; closing the connection")
        return .NO
    }
    defer { MHD_destroy_response(created) }
    for header in response.headers where !header.name.caseInsensitiveEquals("Content-Length") {
        if MHD_add_response_header(created, header.name, header.value) == .NO {
            logger.debug("dropped an invalid response header", ["http.header": .string(header.name)])
        }
    }
    let status = UInt32(clamping: (100...599).contains(response.status) ? response.status : 500)
    return MHD_queue_response(connection, status, created)
}

/// Every value of one kind (headers or query arguments) of a request, decoded as UTF-8.
private func connectionValues(_ connection: OpaquePointer, kind: MHD_ValueKind) -> [(String, String)] {
    var pairs: [(String, String)] = []
    withUnsafeMutablePointer(to: &pairs) { pointer in
        _ = MHD_get_connection_values_n(connection, kind, collectValue, UnsafeMutableRawPointer(pointer))
    }
    return pairs
}

/// The iterator for `MHD_get_connection_values_n`: appends one pair to the array behind `closure`.
private func collectValue(
    _ closure: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind, _ key: UnsafePointer<CChar>?, _ keySize: Int,
    _ value: UnsafePointer<CChar>?, _ valueSize: Int
) -> MHD_Result {
    guard let closure, let key else { return .YES }
    let pairs = closure.assumingMemoryBound(to: [(String, String)].self)
    let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keySize), as: UTF8.self)
    let text = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) } ?? ""
    pairs.pointee.append((name, text))
    return .YES
}

/// The library's error log, formatted and forwarded to the server's logger at debug.
private func libraryLogCallback(
    _ closure: UnsafeMutableRawPointer?, _ format: UnsafePointer<CChar>?, _ arguments: CVaListPointer?
) {
    guard let closure, let format, let arguments else { return }
    var buffer = [CChar](repeating: 0, count: 512)
    _ = vsnprintf(&buffer, buffer.count, format, arguments)
    let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let context = Unmanaged<HandlerContext>.fromOpaque(closure).takeUnretainedValue()
    context.recordLibraryMessage(message.trimmingCharacters(in: .whitespacesAndNewlines))
}
