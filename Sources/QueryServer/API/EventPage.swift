import SegmentStore

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
