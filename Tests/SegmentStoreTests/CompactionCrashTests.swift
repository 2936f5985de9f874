import Foundation
import Synchronization
import Testing

@testable import SegmentStore

/// Stops a compaction at its `n`-th step (counting from 0) and remembers every step it saw.
final class StepRecorder: Sendable {
    private let state = Mutex<(seen: [CompactionStep], stopAt: Int?)>(([], nil))

    init(stopAt: Int? = nil) {
        state.withLock { $0.stopAt = stopAt }
    }

    var steps: [CompactionStep] { state.withLock { $0.seen } }

    func shouldStop(_ step: CompactionStep) -> Bool {
        state.withLock { state in
            state.seen.append(step)
            return state.stopAt == state.seen.count - 1
        }
    }
}

@Suite struct CompactionCrashTests {
    private static let base: Int64 = 1_760_000_000_000_000

    /// A store whose compaction removes leading segments, rewrites several groups, retires
    /// scattered old events into an archive and drops duplicates.
    private func makeStore(_ directory: String) throws {
        try CompactionFixture.fill(
            directory, count: 450,
            timestamp: { number in
                let old = number < 90 || number % 11 == 4
                return EventTimestamp(microseconds: Self.base + (old ? 0 : 10_000_000) + Int64(number))
            },
            id: { number in number % 13 == 12 && number > 100 ? "id-\(number - 50)" : "id-\(number)" })
    }

    private func options(_ directory: String, archive: String, stop recorder: StepRecorder) -> CompactionOptions {
        var options = CompactionOptions(directory: directory)
        options.segmentBytes = 20 << 10
        options.retireBefore = EventTimestamp(microseconds: Self.base + 5_000_000)
        options.archivePath = archive
        options.interruption = { recorder.shouldStop($0) }
        return options
    }

    /// Stops the compaction after every step in turn (as a kill would) and checks, before and
    /// after reopening, that verify accepts the store, that every range holds either all of its
    /// old events or exactly the kept ones, that nothing is lost or duplicated, and that running
    /// the compaction again ends where an uninterrupted one does.
    @Test func killedAfterEveryStepLeavesAStoreVerifyAcceptsWithNothingLostOrDuplicated() throws {
        let original = TemporaryDirectory()
        try makeStore(original.path)
        let before = try CompactionFixture.snapshot(original.path)
        let scratch = TemporaryDirectory()

        // The uninterrupted run: its steps, its plan and where it ends.
        let reference = TemporaryDirectory()
        try CompactionFixture.copy(original.path, to: reference.path)
        let recorder = StepRecorder()
        let referenceCompactor = try StoreCompactor.open(
            options(reference.path, archive: scratch.path + "/reference.jsonl", stop: recorder))
        let plan = try referenceCompactor.plan()
        _ = try referenceCompactor.run(plan)
        referenceCompactor.close()
        let finalState = try CompactionFixture.snapshot(reference.path)
        let retired = Set(plan.retiredSequences)
        let dropped = Set(before.keys).subtracting(finalState.keys)
        #expect(plan.groups.contains { $0.action == .remove })
        #expect(plan.groups.filter { $0.action == .rewrite }.count >= 3)
        #expect(plan.duplicatesToDrop > 5 && retired.count > 90)
        let steps = recorder.steps
        #expect(steps.count > 20, "\(steps)")

        for (index, step) in steps.enumerated() {
            let context = "stopped after step \(index) (\(step))"
            let copy = TemporaryDirectory()
            try CompactionFixture.copy(original.path, to: copy.path)
            let archive = scratch.path + "/archive-\(index).jsonl"
            let compactor = try StoreCompactor.open(
                options(copy.path, archive: archive, stop: StepRecorder(stopAt: index)))
            #expect(throws: CompactionInterrupted.self, "\(context)") { try compactor.run(try compactor.plan()) }
            compactor.close()

            // As the crash left it, before anything repairs it.
            try CompactionFixture.expectIntact(copy.path, context)
            let crashed = try CompactionFixture.snapshot(copy.path)
            check(crashed, against: before, dropped: dropped, groups: plan.groups, context)

            // Opening for writing removes leftovers and changes no event.
            let reopened = try EventStore.open(StoreOptions(directory: copy.path))
            reopened.close()
            try CompactionFixture.expectIntact(copy.path, context + ", reopened")
            let names = try FileManager.default.contentsOfDirectory(atPath: copy.path)
            #expect(!names.contains { $0.hasSuffix(".compacting") }, "\(context): \(names)")
            CompactionFixture.expectSame(try CompactionFixture.snapshot(copy.path), crashed, context + ", reopened")

            // The archive is the first step: synced and complete before anything is removed.
            #expect(Set(try EventArchive.read(path: archive).map(\.sequence)) == retired, "\(context)")

            // Compacting again finishes the job.
            var rerun = options(copy.path, archive: scratch.path + "/rerun-\(index).jsonl", stop: StepRecorder())
            rerun.interruption = nil
            let again = try StoreCompactor.open(rerun)
            _ = try again.run(try again.plan())
            again.close()
            try CompactionFixture.expectIntact(copy.path, context + ", compacted again")
            CompactionFixture.expectSame(try CompactionFixture.snapshot(copy.path), finalState, context + ", again")
        }
    }

    /// Every present event is the original one; none that compaction keeps is missing; and each
    /// rewritten group's range holds either its old events or exactly its kept ones (a removed
    /// group goes segment by segment, oldest first).
    private func check(
        _ state: [UInt64: StoredEvent], against before: [UInt64: StoredEvent], dropped: Set<UInt64>,
        groups: [CompactionGroup], _ context: String
    ) {
        CompactionFixture.expectSame(state, before.filter { state[$0.key] != nil }, context)
        let missingKept = Set(before.keys).subtracting(dropped).subtracting(state.keys)
        #expect(missingKept.isEmpty, "\(context): lost \(missingKept.sorted().prefix(8))")
        let ranges = groups.flatMap { group in
            group.action == .remove ? group.inputs.map { $0.firstSequence..<$0.endSequence } : [group.coverage]
        }
        var removedSoFar = true
        for group in groups where group.action == .remove {
            for input in group.inputs {
                let gone = !state.keys.contains { (input.firstSequence..<input.endSequence).contains($0) }
                #expect(removedSoFar || !gone, "\(context): a later segment went before an earlier one")
                removedSoFar = gone
            }
        }
        for range in ranges {
            let old = Set(before.keys.filter { range.contains($0) })
            let kept = old.subtracting(dropped)
            let now = Set(state.keys.filter { range.contains($0) })
            #expect(now == old || now == kept, "\(context): range \(range) is half compacted")
        }
    }

    /// Leftovers of a compaction killed while writing: an unfinished temporary file is deleted
    /// by the next open for writing, and a read-only open and verify ignore it.
    @Test func aTornTemporarySegmentIsIgnoredAndThenRemoved() throws {
        let directory = TemporaryDirectory()
        try CompactionFixture.fill(directory.path, count: 120)
        let before = try CompactionFixture.snapshot(directory.path)
        let temporary = directory.segmentPaths[0] + ".compacting"
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: temporary))

        try CompactionFixture.expectIntact(directory.path)
        CompactionFixture.expectSame(try CompactionFixture.snapshot(directory.path), before)
        #expect(SystemFile.exists(temporary))
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        store.close()
        #expect(!SystemFile.exists(temporary))
        CompactionFixture.expectSame(try CompactionFixture.snapshot(directory.path), before)
    }

    /// A flipped bit inside a sealed segment (its trailer still valid) stops the compaction
    /// before it writes or removes anything.
    @Test func compactionRefusesToRewriteADamagedSegment() throws {
        let directory = TemporaryDirectory()
        try CompactionFixture.fill(directory.path, count: 200)
        let victim = directory.segmentPaths[2]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
        bytes[SegmentHeader.size + 80] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: victim))
        let files = try CompactionFixture.files(directory.path)

        let compactor = try StoreCompactor.open(CompactionOptions(directory: directory.path))
        #expect {
            _ = try compactor.plan()
        } throws: { error in
            (error as? CompactionError)?.code == .damaged && "\(error)".contains(victim)
        }
        compactor.close()
        #expect(try CompactionFixture.files(directory.path) == files)
    }

    /// The clean-up trusts a compacted segment only when its whole-file checksum matches: with a
    /// damaged one, the segments it would replace stay and verify reports the damage.
    @Test func aDamagedCompactedSegmentNeverCausesTheOldSegmentsToBeDeleted() throws {
        let original = TemporaryDirectory()
        try CompactionFixture.fill(original.path, count: 200)
        let copy = TemporaryDirectory()
        try CompactionFixture.copy(original.path, to: copy.path)
        var options = CompactionOptions(directory: copy.path)
        options.segmentBytes = 1 << 20
        let recorder = StepRecorder(stopAt: 1)
        options.interruption = { recorder.shouldStop($0) }
        let compactor = try StoreCompactor.open(options)
        #expect(throws: CompactionInterrupted.self) { try compactor.run(try compactor.plan()) }
        compactor.close()
        guard case .segmentRenamed(let compacted) = recorder.steps.last else {
            Issue.record("expected to stop after the rename, stopped after \(recorder.steps)")
            return
        }
        let segmentsBefore = copy.segmentPaths
        var bytes = try Data(contentsOf: URL(fileURLWithPath: compacted))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: compacted))

        let store = try EventStore.open(StoreOptions(directory: copy.path))
        store.close()
        #expect(copy.segmentPaths == segmentsBefore, "segments were deleted on the word of a damaged segment")
        let report = try StoreVerifier.verify(directory: copy.path)
        #expect(!report.isIntact)
    }
}
