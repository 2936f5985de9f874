import SegmentStore

/// One request for events: filters (all optional, AND-ed) and a page.
///
/// Results come newest first, by event timestamp and then sequence number, a total order that no
/// later append can change for the events already seen.
public struct EventQuery: Sendable, Hashable {
    /// The default page size.
    public static let defaultLimit = 100
    /// The largest page size.
    public static let maximumLimit = 1000

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
    /// Only events at or after this instant.
    public var startTime: EventTimestamp?
    /// Only events at or before this instant.
    public var endTime: EventTimestamp?
    /// Events per page, 1 to `maximumLimit`.
    public var limit: Int
    /// Matching events to skip before the page starts (after the cursor, if there is one).
    public var offset: Int
    /// The `nextCursor` of the previous page: continue right after its last event.
    public var cursor: String?

    /// Creates a query; every filter is optional.
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

    /// The value wanted for `field`, if the query filters on it.
    public func value(of field: IndexField) -> String? {
        switch field {
        case .eventType: eventType
        case .source: source
        case .target: target
        case .sessionId: sessionId
        case .correlationId: correlationId
        }
    }
}
