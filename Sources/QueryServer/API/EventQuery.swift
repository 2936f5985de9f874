import SegmentStore

/// The filters and paging of one `GET /events` request, validated.
///
/// Every filter is optional and they combine with AND. Results are newest first. Paging is by
/// `offset` from the start of the result, or by an opaque `cursor` from a previous page's
/// `next_cursor`, which stays stable while new events arrive.
public struct EventQuery: Sendable, Hashable {
    /// The page size used when the request names none.
    public static let defaultLimit = 100
    /// The range `limit` must fall in.
    public static let limitRange = 1...1_000

    /// Only events of this session.
    public var sessionId: String?
    /// Only events of this type.
    public var eventType: String?
    /// Only events from this source.
    public var source: String?
    /// Only events addressed to this target.
    public var target: String?
    /// Only events with this correlation id.
    public var correlationId: String?
    /// Only events at or after this instant (event timestamp).
    public var startTime: EventTimestamp?
    /// Only events at or before this instant (event timestamp).
    public var endTime: EventTimestamp?
    /// The most events to return, within ``limitRange``.
    public var limit: Int
    /// How many matching events to skip (after the cursor position, when there is a cursor).
    public var offset: Int
    /// Where the previous page ended, as its `next_cursor` said; `nil` starts from the newest.
    public var cursor: String?

    /// A query with the given filters; the defaults match every event, first page.
    public init(
        sessionId: String? = nil, eventType: String? = nil, source: String? = nil, target: String? = nil,
        correlationId: String? = nil, startTime: EventTimestamp? = nil, endTime: EventTimestamp? = nil,
        limit: Int = EventQuery.defaultLimit, offset: Int = 0, cursor: String? = nil
    ) {
        self.sessionId = sessionId
        self.eventType = eventType
        self.source = source
        self.target = target
        self.correlationId = correlationId
        self.startTime = startTime
        self.endTime = endTime
        self.limit = limit
        self.offset = offset
        self.cursor = cursor
    }
}

/// One page of results.
public struct EventPage: Sendable, Hashable {
    /// The events of the page, newest first.
    public var events: [StoredEvent]
    /// How many events match the filters in all (ignoring limit, offset and cursor).
    public var total: Int
    /// Whether more matching events follow this page.
    public var hasMore: Bool
    /// The cursor that continues after this page, `nil` when nothing follows.
    public var nextCursor: String?

    /// Creates a page.
    public init(events: [StoredEvent], total: Int, hasMore: Bool, nextCursor: String?) {
        self.events = events
        self.total = total
        self.hasMore = hasMore
        self.nextCursor = nextCursor
    }
}
