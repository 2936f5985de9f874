import Foundation
import Synchronization

/// Failure injection for tests: makes the store's next writes or syncs fail as a full or broken
/// disk would, through the same code paths a real `ENOSPC` or `EIO` takes.
///
/// Production code passes none; it exists so that the promise "a failed write reports nothing as
/// durable" can be tested without filling a real disk.
public final class StoreFaults: Sendable {
    /// An armed write failure.
    public struct WriteFailure: Sendable {
        /// The errno the write reports.
        public var errno: Int32
        /// How many bytes reach the file before the failure (a torn write).
        public var partialBytes: Int
    }

    private struct State {
        var writeFailures: [WriteFailure] = []
        var syncFailures: [(errno: Int32, delayMicroseconds: UInt32)] = []
    }

    private let state = Mutex(State())

    /// Creates an injector with nothing armed.
    public init() {}

    /// Makes the next `count` writes fail with `errno`, each after writing `partialBytes`.
    public func failWrites(errno: Int32, count: Int = 1, partialBytes: Int = 0) {
        state.withLock { state in
            state.writeFailures += Array(
                repeating: WriteFailure(errno: errno, partialBytes: partialBytes), count: count)
        }
    }

    /// Makes the next `count` data syncs fail with `errno`, each after `delayMilliseconds` (a
    /// slow, failing disk, during which more batches queue up behind the failing one).
    public func failSyncs(errno: Int32, count: Int = 1, delayMilliseconds: Int = 0) {
        let failure = (errno: errno, delayMicroseconds: UInt32(delayMilliseconds * 1_000))
        state.withLock { $0.syncFailures += Array(repeating: failure, count: count) }
    }

    /// Disarms everything.
    public func clear() {
        state.withLock { $0 = State() }
    }

    func takeWriteFailure() -> WriteFailure? {
        state.withLock { $0.writeFailures.isEmpty ? nil : $0.writeFailures.removeFirst() }
    }

    func takeSyncFailure() -> Int32? {
        guard let failure = state.withLock({ $0.syncFailures.isEmpty ? nil : $0.syncFailures.removeFirst() }) else {
            return nil
        }
        if failure.delayMicroseconds > 0 { usleep(failure.delayMicroseconds) }
        return failure.errno
    }
}
