import IndexBuilder
import SegmentStore

/// The read side the API answers from: queries over the indexes and lookups by id.
///
/// The HTTP layer validates the request and renders the answer; an implementation runs the query
/// against the engine. Calls arrive on the HTTP worker threads, several at once.
public protocol EventQueryService: Sendable {
    /// The page of events that `query` selects.
    ///
    /// - Parameter query: Validated filters and paging.
    /// - Throws: `EventQueryError` with `.invalidCursor` for a cursor this engine did not issue,
    ///   `.notReady` while the indexes are being built, `.storeFailure` when the store cannot read.
    func query(_ query: EventQuery) throws(EventQueryError) -> EventPage

    /// The event with `id`, or `nil` when no stored event has it.
    ///
    /// - Parameter id: The event id.
    /// - Throws: `EventQueryError` with `.notReady` or `.storeFailure`.
    func event(id: String) throws(EventQueryError) -> StoredEvent?

    /// The service's state for `GET /health`; must answer quickly, even while starting.
    func health() -> HealthReport
}

/// Why a query could not be answered.
public struct EventQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, which decides the HTTP status.
    public enum Code: String, Sendable {
        /// The cursor is malformed or was not issued by this engine: the client's fault (422).
        case invalidCursor = "invalid_cursor"
        /// The indexes are still being built at start-up: retry shortly (503).
        case notReady = "not_ready"
        /// The store could not read what the index points to (500); the message is for the log.
        case storeFailure = "store_failure"
    }

    /// The kind of failure.
    public var code: Code
    /// For `.invalidCursor`, text shown to the client; otherwise text for the log.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The code and the message, for logs.
    public var description: String { "\(code.rawValue): \(message)" }
}
