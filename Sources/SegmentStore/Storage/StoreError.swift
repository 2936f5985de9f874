import Foundation

/// What went wrong in the segment store, with enough context (file, offset, system call, errno) for
/// an operator to act on it.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// The disk is full (`ENOSPC`, `EDQUOT`, `EFBIG`): free space and the store goes on by itself.
        case noSpace = "no_space"
        /// The kernel reported an I/O error (`EIO`) or another failure of a system call.
        case ioFailure = "io_failure"
        /// A file is not what the format says it must be.
        case corrupt = "corrupt"
        /// A directory or file could not be opened or created.
        case unavailable = "unavailable"
        /// The event cannot be stored as given (too large, a field too long).
        case invalidEvent = "invalid_event"
        /// The sequence number is not in the store.
        case notFound = "not_found"
        /// Another process holds the data directory.
        case locked = "locked"
        /// The store was closed.
        case closed = "closed"
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence that says what failed and what to do.
    public var message: String
    /// The file involved, if any.
    public var path: String?
    /// The byte offset in `path` where the problem sits, if known.
    public var offset: Int64?
    /// The system call that failed, if any.
    public var systemCall: String?
    /// The `errno` the system call set, if any.
    public var errnoValue: Int32?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, path: String? = nil, offset: Int64? = nil, systemCall: String? = nil,
        errno errnoValue: Int32? = nil
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
        self.systemCall = systemCall
        self.errnoValue = errnoValue
    }

    /// An error from a failed system call, classified by its errno.
    static func system(_ call: String, errno value: Int32, path: String?, offset: Int64? = nil) -> StoreError {
        let code: Code
        let advice: String
        switch value {
        case ENOSPC, EDQUOT, EFBIG:
            code = .noSpace
            advice = "free disk space; the writer retries and nothing unsynced was reported durable"
        case ENOENT, EACCES, EPERM, ENOTDIR, EROFS:
            code = .unavailable
            advice = "check that the data directory exists and is writable by this user"
        default:
            code = .ioFailure
            advice = "check the disk and the kernel log; nothing unsynced was reported durable"
        }
        let reason = String(cString: strerror(value))
        return StoreError(
            code, "\(call) failed: \(reason); \(advice)", path: path, offset: offset, systemCall: call, errno: value)
    }

    public var description: String {
        var text = message
        if let path {
            text += " (file \(path)"
            if let offset { text += ", offset \(offset)" }
            text += ")"
        }
        return text
    }
}
