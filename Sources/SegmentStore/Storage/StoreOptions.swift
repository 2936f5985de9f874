/// Settings of an `EventStore`.
public struct StoreOptions: Sendable {
    /// The data directory that holds the segment files.
    public var directory: String
    /// A segment is sealed and a new one started once it reaches this size (default 256 MiB).
    public var segmentBytes: Int = 256 << 20
    /// A frame is closed once the raw size of its events reaches this many bytes (default 64 KiB).
    /// Larger frames compress better; smaller ones cost less to decompress for a single read.
    public var frameBytes: Int = 64 << 10
    /// The most events one group commit takes.
    public var maximumBatchEvents: Int = 8192
    /// The most raw bytes one group commit takes (a single larger submission still goes whole).
    public var maximumBatchBytes: Int = 8 << 20
    /// How many decoded frames readers keep in memory.
    public var frameCacheCapacity: Int = 256
    /// Open without the writer: no lock, no recovery truncation, no appends (verify, stats).
    public var readOnly: Bool = false
    /// Failure injection for tests; `nil` in production.
    public var faults: StoreFaults?

    /// Options for the store in `directory`, with every other setting at its default.
    public init(directory: String) {
        self.directory = directory
    }
}

/// One committed, durable batch: the events of every submission it took, fsync'd together.
public struct DurableBatch: Sendable {
    /// The sequence number of the batch's (or submission's) first event.
    public var firstSequence: UInt64
    /// How many events it holds.
    public var count: Int
    /// The commit time written into the batch's frames.
    public var storedAt: EventTimestamp
    /// The indexed fields of every event, in sequence order.
    public var events: [IndexedFields]
    /// How long writing and syncing the batch took, in seconds.
    public var syncSeconds: Double = 0

    /// The sequence numbers, `firstSequence ..< firstSequence + count`.
    public var sequences: Range<UInt64> { firstSequence..<(firstSequence + UInt64(count)) }
}

/// What opening the store found and repaired.
public struct RecoveryReport: Sendable {
    /// Bytes cut from the end of the active segment because they did not form whole, valid frames.
    public var truncatedBytes: Int = 0
    /// How many frames (whole or partial) those bytes held, as far as they could be told apart.
    public var droppedFrames: Int = 0
    /// Damaged ranges in segments that are otherwise served.
    public var damage: [SegmentDamage] = []
    /// Segment files found.
    public var segmentCount: Int = 0
    /// Frames scanned to recover the active segment and any unsealed one.
    public var scannedFrames: Int = 0
}
