import Synchronization

/// One frame's decompressed blocks, from which single events are decoded on demand.
final class DecodedFrame: Sendable {
    let records: FrameRecords

    init(records: FrameRecords) {
        self.records = records
    }

    var firstSequence: UInt64 { records.firstSequence }

    func contains(_ sequence: UInt64) -> Bool {
        sequence >= firstSequence && sequence < firstSequence + UInt64(records.count)
    }

    /// The event with `sequence`, which must be in this frame.
    func event(_ sequence: UInt64) -> StoredEvent {
        records.event(at: Int(sequence - firstSequence))
    }
}

/// A small cache of decoded frames, so that a page of results that falls in a few frames
/// decompresses each of them once. Eviction is by the clock algorithm.
final class FrameCache: Sendable {
    struct Key: Hashable, Sendable {
        var path: String
        var offset: Int
    }

    private struct Entry {
        var key: Key
        var frame: DecodedFrame
        var referenced: Bool
    }

    private struct State {
        var slots: [Entry] = []
        var positions: [Key: Int] = [:]
        var hand = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func frame(for key: Key) -> DecodedFrame? {
        state.withLock { state in
            guard let position = state.positions[key] else { return nil }
            state.slots[position].referenced = true
            return state.slots[position].frame
        }
    }

    func insert(_ frame: DecodedFrame, for key: Key) {
        state.withLock { state in
            if state.positions[key] != nil { return }
            if state.slots.count < capacity {
                state.positions[key] = state.slots.count
                state.slots.append(Entry(key: key, frame: frame, referenced: false))
                return
            }
            while state.slots[state.hand].referenced {
                state.slots[state.hand].referenced = false
                state.hand = (state.hand + 1) % state.slots.count
            }
            state.positions[state.slots[state.hand].key] = nil
            state.slots[state.hand] = Entry(key: key, frame: frame, referenced: false)
            state.positions[key] = state.hand
            state.hand = (state.hand + 1) % state.slots.count
        }
    }
}
