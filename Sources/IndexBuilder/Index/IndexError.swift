/// Why the indexes could not take an event, with what to do about it.
public struct IndexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// A sequence number does not fit the 32 bits the indexes store.
        case sequenceLimit = "sequence_limit"
        /// A field has more distinct values than 32-bit key ids can number.
        case tooManyKeys = "too_many_keys"
        /// The event store failed while the indexes were being rebuilt.
        case storeFailure = "store_failure"
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence that says what failed and what to do.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The largest sequence number the indexes can hold.
    public static let maximumSequence = UInt64(UInt32.max)

    static func sequenceLimit(_ sequence: UInt64) -> IndexError {
        IndexError(
            .sequenceLimit,
            "event sequence \(sequence) exceeds \(maximumSequence), the largest the in-memory indexes can hold "
                + "(they store sequence numbers in 32 bits to stay under 100 bytes per event); "
                + "retire old events or move to a build with 64-bit index entries")
    }

    static func tooManyKeys() -> IndexError {
        IndexError(.tooManyKeys, "an indexed field has more than 4,294,967,294 distinct values; retire old events")
    }

    /// The message.
    public var description: String { message }
}
