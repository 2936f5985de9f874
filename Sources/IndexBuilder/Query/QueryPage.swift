/// One page of query results: the events' sequence numbers, newest first, and where the page sits.
public struct QueryPage: Sendable, Equatable {
    /// The matching events of this page, newest first; read them from the store.
    public var sequences: [UInt64]
    /// The exact number of events matching the filters (regardless of offset and cursor).
    public var total: Int
    /// The page size asked for.
    public var limit: Int
    /// The offset asked for.
    public var offset: Int
    /// Whether more matching events follow this page.
    public var hasMore: Bool
    /// The cursor that continues right after this page; nil when nothing follows.
    public var nextCursor: String?

    /// Creates a page.
    public init(sequences: [UInt64], total: Int, limit: Int, offset: Int, hasMore: Bool, nextCursor: String?) {
        self.sequences = sequences
        self.total = total
        self.limit = limit
        self.offset = offset
        self.hasMore = hasMore
        self.nextCursor = nextCursor
    }
}
