import Foundation
import SegmentStore
import Synchronization

/// What the consume thread shares with the world: durable completions posted by the store's writer
/// thread, the stop request, and the totals. Posting wakes the consume thread through a pipe it
/// polls beside the broker's socket, so acknowledgements go out without waiting for a timeout.
final class ConsumerSignals: Sendable {
    /// One finished store submission.
    struct Completion: Sendable {
        var submission: Int
        var result: Result<DurableBatch, StoreError>
        var completedAt: EventTimestamp
    }

    /// The pipe's read end, which the consume thread polls.
    private let wakeDescriptor: Int32
    /// The pipe's write end; one byte wakes the consume thread.
    private let wakeWriter: Int32
    private let completions = Mutex<[Completion]>([])
    private let stopFlag = Atomic<Bool>(false)
    let statistics = Mutex(IngestStatistics())

    init() {
        var ends: [Int32] = [-1, -1]
        let created = pipe(&ends)
        precondition(created == 0, "pipe failed: \(String(cString: strerror(errno)))")
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWriter)
    }

    /// Called on the writer thread: queues a completion and wakes the consume thread.
    func post(_ completion: Completion) {
        completions.withLock { $0.append(completion) }
        wake()
    }

    /// Called on the consume thread: everything posted so far, oldest first.
    func takeCompletions() -> [Completion] {
        completions.withLock { queue in
            let taken = queue
            queue.removeAll(keepingCapacity: true)
            return taken
        }
    }

    /// Asks the consume thread to shut down.
    func requestStop() {
        stopFlag.store(true, ordering: .releasing)
        wake()
    }

    var stopRequested: Bool { stopFlag.load(ordering: .acquiring) }

    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }

    /// Clears pending wake-ups; called by the consume thread after it woke.
    func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeDescriptor, &buffer, buffer.count) > 0 {}
    }

    /// What a `wait` found.
    struct Readiness {
        /// The broker socket is readable (or has failed, which the next read reports).
        var socket: Bool
        /// A wake-up arrived: completions were posted or a stop was requested.
        var woken: Bool
    }

    /// Waits until the broker socket (if any) is readable, a wake-up arrives, or `timeout` passes;
    /// a zero timeout only looks.
    func wait(socket: Int32?, timeout: Duration) -> Readiness {
        var descriptors = [pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        if let socket { descriptors.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        let (seconds, attoseconds) = max(timeout, .zero).components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        let ready = poll(&descriptors, nfds_t(descriptors.count), max(milliseconds, timeout > .zero ? 1 : 0))
        guard ready > 0 else { return Readiness(socket: false, woken: false) }
        let woken = descriptors[0].revents != 0
        if woken { drainWakeups() }
        return Readiness(socket: descriptors.count > 1 && descriptors[1].revents != 0, woken: woken)
    }
}
