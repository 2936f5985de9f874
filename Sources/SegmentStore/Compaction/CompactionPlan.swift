/// A sealed segment that compaction may rewrite, with what it holds and what of it goes.
struct CompactionInput: Sendable {
    var path: String
    var firstSequence: UInt64
    /// One past the last sequence the segment stands for.
    var endSequence: UInt64
    var fileBytes: Int
    /// Written by an earlier compaction (its header flag `sparseSequences`).
    var sparse: Bool
    /// The sequence numbers that hold an event, as ranges in order.
    var runs: [Range<UInt64>] = []
    var eventCount = 0
    /// Sequences to drop (duplicates and retired events), ascending.
    var dropped: [UInt64] = []
    var retiredCount = 0
    var duplicateCount = 0
    /// Estimated size once compacted.
    var estimatedBytes = 0

    var keptCount: Int { eventCount - dropped.count }

    /// The sequences compaction keeps, ascending.
    var keptSequences: KeptSequences { KeptSequences(runs: runs, dropped: dropped) }
}

/// The sequence numbers of a segment's runs minus its dropped ones, in order.
struct KeptSequences: Sequence, Sendable {
    var runs: [Range<UInt64>]
    var dropped: [UInt64]

    struct Iterator: IteratorProtocol {
        var runs: [Range<UInt64>]
        var dropped: [UInt64]
        var run = 0
        var cursor: UInt64?
        var droppedIndex = 0

        mutating func next() -> UInt64? {
            while run < runs.count {
                let candidate = cursor ?? runs[run].lowerBound
                guard candidate < runs[run].upperBound else {
                    run += 1
                    cursor = nil
                    continue
                }
                cursor = candidate + 1
                while droppedIndex < dropped.count && dropped[droppedIndex] < candidate { droppedIndex += 1 }
                if droppedIndex < dropped.count && dropped[droppedIndex] == candidate { continue }
                return candidate
            }
            return nil
        }
    }

    func makeIterator() -> Iterator { Iterator(runs: runs, dropped: dropped) }
}

/// What to do with a run of neighbouring segments.
enum CompactionAction: Sendable, Equatable {
    /// Rewrite them into one compacted segment.
    case rewrite
    /// Delete them: every event in them is retired or dropped, and nothing precedes them.
    case remove
    /// Leave the segment as it is: already compacted, nothing to drop.
    case keep
}

/// Segments that become one compacted segment (or are removed, or kept).
struct CompactionGroup: Sendable {
    var inputs: [CompactionInput]
    var action: CompactionAction
    /// The range the compacted segment stands for.
    var coverage: Range<UInt64>
    /// Events to put back at their own sequence numbers (import), ascending, inside `coverage`,
    /// none at a sequence an input holds.
    var inserted: [StoredEvent] = []
    var estimatedBytes = 0

    var keptCount: Int { inputs.reduce(0) { $0 + $1.keptCount } + inserted.count }
}

/// What a compaction will do, worked out before anything is changed; `segstore compact
/// --dry-run` prints it.
public struct CompactionPlan: Sendable {
    /// Segment files of the store, the active one included.
    public var segmentsBefore: Int
    /// Their bytes.
    public var bytesBefore: Int
    /// Events in the store.
    public var eventsBefore: Int
    /// Events in the sealed segments compaction considers.
    public var eventsConsidered: Int
    /// Events older than the retention bound (retired; archived first if an archive is given).
    public var eventsToRetire: Int
    /// Records whose event id an earlier record already has.
    public var duplicatesToDrop: Int
    /// Sealed segments that will be rewritten, and into how many.
    public var segmentsToRewrite: Int
    public var compactedSegments: Int
    /// Sealed segments deleted outright (all their events retired, at the start of the store).
    public var segmentsToRemove: Int
    /// Segments left as they are (the active one, and sealed ones already compacted).
    public var segmentsUntouched: Int
    /// The segment count and bytes after the compaction; the bytes are estimated by compacting
    /// a sample of each segment.
    public var estimatedSegmentsAfter: Int
    public var estimatedBytesAfter: Int

    var groups: [CompactionGroup]
    /// Sequences of the events to retire, ascending (what goes to the archive).
    var retiredSequences: [UInt64]

    /// Whether running the plan would change nothing.
    public var isEmpty: Bool { segmentsToRewrite == 0 && segmentsToRemove == 0 }
}
