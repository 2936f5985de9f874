/// What a compaction of a data directory should do.
public struct CompactionOptions: Sendable {
    /// The data directory.
    public var directory: String
    /// Retention: events whose timestamp is before this instant are retired. `nil` keeps every
    /// event (the default: retention is never implied).
    public var retireBefore: EventTimestamp?
    /// Where retired events are written as JSON lines, synced, before any of them is removed.
    /// The file must not exist yet.
    public var archivePath: String?
    /// Target size of a compacted segment: neighbouring segments are merged while their
    /// estimated compacted size stays below it (default 256 MiB, like `SEGMENT_BYTES`).
    public var segmentBytes: Int = 256 << 20
    /// A compacted frame is closed once its events' raw size reaches this (default 64 KiB, the
    /// writer's frame size, so single reads cost the same).
    public var frameBytes: Int = 64 << 10
    /// Plan only: open the store read-only, write nothing.
    public var dryRun = false
    /// Called with one line of progress at a time (the command prints them on stderr).
    public var progress: (@Sendable (String) -> Void)?
    /// Test hook: called after every step that changes the disk; returning `true` stops the
    /// compaction right there with `CompactionInterrupted`, leaving the disk as a crash at that
    /// point would. `nil` in production.
    public var interruption: (@Sendable (CompactionStep) -> Bool)?

    /// Options for compacting `directory`, with no retention, no archive and default sizes.
    public init(directory: String) {
        self.directory = directory
    }
}

/// A step of a compaction after which the disk is in a state a crash could leave behind.
public enum CompactionStep: Sendable, Equatable, CustomStringConvertible {
    /// The archive of retired events is written and synced, its directory too.
    case archiveSynced(path: String)
    /// A compacted segment is complete and synced under its temporary name.
    case segmentWritten(path: String)
    /// The compacted segment has been renamed into place, over the first segment it replaces.
    case segmentRenamed(path: String)
    /// The directory holding the rename has been synced.
    case directorySynced(path: String)
    /// One replaced (or retired) segment has been deleted.
    case segmentRemoved(path: String)
    /// The deletions of one group have been synced.
    case removalsSynced
    /// A batch of imported events the store could not take back at its original sequence
    /// numbers has been appended.
    case eventsAppended(count: Int)

    public var description: String {
        switch self {
        case .archiveSynced(let path): "archive synced: \(path)"
        case .segmentWritten(let path): "segment written: \(path)"
        case .segmentRenamed(let path): "segment renamed into place: \(path)"
        case .directorySynced(let path): "directory synced after \(path)"
        case .segmentRemoved(let path): "segment removed: \(path)"
        case .removalsSynced: "removals synced"
        case .eventsAppended(let count): "\(count) events appended"
        }
    }
}

/// Thrown when the `interruption` hook stops a compaction.
public struct CompactionInterrupted: Error, Sendable {
    /// The last step that completed.
    public var step: CompactionStep
}

/// Why a compaction or import could not run; nothing was changed unless the message says so.
public struct CompactionError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// A running daemon (or another tool) holds the data directory.
        case locked
        /// A segment to compact is damaged or unsealed.
        case damaged
        /// The archive file exists already.
        case archiveExists = "archive_exists"
        /// An archive line cannot be read back.
        case invalidArchive = "invalid_archive"
        /// Reading or writing the store failed.
        case storeFailure = "store_failure"
        /// A compacted segment failed its own verification before it replaced anything.
        case verificationFailed = "verification_failed"
    }

    /// The kind of failure.
    public var code: Code
    /// One sentence that says what went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
