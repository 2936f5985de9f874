import Synchronization

/// Where one frame sits in a segment file.
struct FrameLocation: Sendable, Equatable {
    var firstSequence: UInt64
    var recordCount: UInt32
    var offset: Int
    var length: Int

    var endSequence: UInt64 { firstSequence + UInt64(recordCount) }
}

/// A range of a segment that failed validation and is not served.
public struct SegmentDamage: Sendable, Equatable, CustomStringConvertible {
    /// The damaged file.
    public var path: String
    /// Where the first invalid byte range starts.
    public var offset: Int
    /// What is wrong there.
    public var reason: String

    public var description: String { "\(path) at byte \(offset): \(reason)" }
}

/// What the readers know about one segment file.
struct SegmentRecord: Sendable {
    let path: String
    let firstSequence: UInt64
    var frames: [FrameLocation]
    /// One past the last readable sequence.
    var endSequence: UInt64
    /// Bytes below this offset are durable and may be read.
    var durableLength: Int
    var mapping: MappedRegion?
    var sealed: Bool
    var damage: SegmentDamage?
    var fileSize: Int
    /// Sequence numbers in the range that hold no event (a compacted segment's holes).
    var missingSequences: UInt64 = 0

    /// Index of the frame holding `sequence`, by binary search.
    ///
    /// - Complexity: O(log f) for f frames.
    func frameIndex(of sequence: UInt64) -> Int? {
        var low = 0
        var high = frames.count
        while low < high {
            let middle = (low + high) / 2
            if frames[middle].endSequence <= sequence { low = middle + 1 } else { high = middle }
        }
        guard low < frames.count, frames[low].firstSequence <= sequence else { return nil }
        return low
    }
}

/// The list of segments readers resolve sequence numbers against; the writer appends to it after
/// each durable batch. Lookups take the lock for a binary search only.
final class SegmentCatalog: Sendable {
    struct State: Sendable {
        var segments: [SegmentRecord] = []
        var lastDurableSequence: UInt64 = 0
        var firstSequence: UInt64 = 1
    }

    let state = Mutex(State())

    /// A resolved frame: its mapping, location and the durable limit to check bounds against.
    struct ResolvedFrame {
        var segmentPath: String
        var mapping: MappedRegion
        var location: FrameLocation
        var limit: Int
    }

    /// Finds the frame holding `sequence`.
    ///
    /// - Complexity: O(log s + log f) for s segments and f frames in the segment.
    func resolve(_ sequence: UInt64) -> ResolvedFrame? {
        state.withLock { state -> ResolvedFrame? in
            let segments = state.segments
            var low = 0
            var high = segments.count
            while low < high {
                let middle = (low + high) / 2
                if segments[middle].endSequence <= sequence { low = middle + 1 } else { high = middle }
            }
            guard low < segments.count, segments[low].firstSequence <= sequence else { return nil }
            let segment = segments[low]
            guard let mapping = segment.mapping, let frame = segment.frameIndex(of: sequence) else { return nil }
            return ResolvedFrame(
                segmentPath: segment.path, mapping: mapping, location: segment.frames[frame],
                limit: segment.durableLength)
        }
    }
}
