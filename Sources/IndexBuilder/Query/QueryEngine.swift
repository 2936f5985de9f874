import SegmentStore

/// Answers `EventQuery`s from the indexes: validates, picks the most selective index, counts and
/// pages. It returns sequence numbers; the caller reads the stored events from the store.
public struct QueryEngine: Sendable {
    /// The live indexes queried.
    public let index: EventIndex
    let tuning: QueryTuning

    /// Creates an engine over `index`.
    public init(index: EventIndex) {
        self.init(index: index, tuning: QueryTuning())
    }

    init(index: EventIndex, tuning: QueryTuning) {
        self.index = index
        self.tuning = tuning
    }

    /// Runs a query on the current snapshot of the indexes.
    ///
    /// - Throws: `QueryError` for a limit outside 1-1000, a negative offset, a start time after
    ///   the end time, or a cursor this service did not issue.
    /// - Complexity: O(log n + limit) with at most one field filter (plus any time range), at any
    ///   offset; with several field filters, O(m) where m is the number of events matching the
    ///   most selective one.
    public func run(_ query: EventQuery) throws(QueryError) -> QueryPage {
        try run(query, on: index.snapshot())
    }

    /// Runs a query on a given snapshot; see `run(_:)`.
    public func run(_ query: EventQuery, on snapshot: IndexSnapshot) throws(QueryError) -> QueryPage {
        let plan = try QueryPlan(query, snapshot: snapshot, tuning: tuning)
        return snapshot.page(for: plan)
    }

    /// The sequence number of the event with `id`, if it is indexed; `verify` confirms a candidate
    /// (see `IndexSnapshot.sequence(forEventID:verify:)`).
    ///
    /// - Complexity: O(1) expected.
    public func sequence(forEventID id: String, verify: (UInt64) throws -> Bool) rethrows -> UInt64? {
        try index.snapshot().sequence(forEventID: id, verify: verify)
    }
}

/// A validated query turned into index terms.
struct QueryPlan {
    /// The field conditions as key ids; nil when a wanted value was never seen (nothing matches).
    var conditions: [(field: IndexField, key: UInt32)]?
    /// Events at or after this position.
    var low: EventPosition
    /// Events before this position.
    var high: EventPosition
    /// Events before this position, for a page continuing a cursor.
    var cursor: EventPosition?
    var limit: Int
    var offset: Int
    var tuning: QueryTuning

    init(_ query: EventQuery, snapshot: IndexSnapshot, tuning: QueryTuning) throws(QueryError) {
        guard (1...EventQuery.maximumLimit).contains(query.limit) else {
            throw QueryError(
                .invalidLimit, parameter: "limit",
                "limit must be between 1 and \(EventQuery.maximumLimit), not \(query.limit)")
        }
        guard query.offset >= 0 else {
            throw QueryError(.invalidOffset, parameter: "offset", "offset must be 0 or more, not \(query.offset)")
        }
        if let start = query.startTime, let end = query.endTime, start > end {
            throw QueryError(
                .invalidTimeRange, parameter: "start_time",
                "start_time \(start.rfc3339) is after end_time \(end.rfc3339); swap them or widen the range")
        }
        cursor = try query.cursor.map { (text) throws(QueryError) in try PageCursor(encoded: text).position }
        limit = query.limit
        offset = query.offset
        self.tuning = tuning
        low = .start(of: query.startTime?.microseconds ?? .min)
        high = .end(of: query.endTime?.microseconds ?? .max)
        var resolved: [(field: IndexField, key: UInt32)] = []
        for field in IndexField.allCases {
            guard let value = query.value(of: field) else { continue }
            guard let key = snapshot.lookups.keyID(field, value) else {
                conditions = nil
                return
            }
            resolved.append((field, key))
        }
        conditions = resolved
    }
}

/// When a combined filter puts its second condition into a bitmap instead of checking columns.
struct QueryTuning: Sendable {
    /// The fewest candidates for which a bitmap of the second condition pays for itself.
    var bitmapMinimumCandidates = 2048
    /// How many times larger than the scanned range the second range may be and still go into a
    /// bitmap: setting and testing a bit costs about a fifth of a scattered column read.
    var bitmapMaximumRatio = 4
}
