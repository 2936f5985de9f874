import Foundation
import Testing

@testable import SegmentStore

@Suite struct CompactionTests {
    /// Many small segments become a few dense ones; every event reads back identical (content,
    /// order, sequence number, stored_at), so a cursor, which encodes (timestamp, sequence),
    /// points at the same event after the compaction as before it.
    @Test func manySmallSegmentsBecomeFewWithEveryEventIdentical() throws {
        let directory = TemporaryDirectory()
        try CompactionFixture.fill(directory.path, count: 600)
        let before = try CompactionFixture.snapshot(directory.path)
        let listedBefore = try CompactionFixture.listedSequences(directory.path)
        let segmentsBefore = directory.segmentPaths
        let active = segmentsBefore.last!
        let activeBytes = try Data(contentsOf: URL(fileURLWithPath: active))
        #expect(segmentsBefore.count > 20)

        let report = try CompactionFixture.compact(directory.path)

        #expect(report.segmentsAfter < segmentsBefore.count / 4, "\(report.segmentsAfter) segments")
        #expect(report.bytesAfter < report.bytesBefore)
        #expect(report.eventsRetired == 0 && report.duplicatesDropped == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: active)) == activeBytes, "the active segment changed")
        try CompactionFixture.expectIntact(directory.path)
        let after = try CompactionFixture.snapshot(directory.path)
        CompactionFixture.expectSame(after, before)
        #expect(try CompactionFixture.listedSequences(directory.path) == listedBefore)
        let cursorsBefore = listedBefore.map { (before[$0]!.timestamp, $0) }
        let cursorsAfter = try CompactionFixture.listedSequences(directory.path).map { (after[$0]!.timestamp, $0) }
        #expect(cursorsBefore.elementsEqual(cursorsAfter) { $0 == $1 })

        // The store goes on appending after the compacted segments.
        let store = try EventStore.open(CompactionFixture.smallSegments(directory.path))
        let last = store.lastDurableSequence
        #expect(last == 600)
        #expect(try store.append([Events.make(5000)]).firstSequence == last + 1)
        #expect(try store.event(at: 1) == before[1])
        store.close()
        try CompactionFixture.expectIntact(directory.path)
    }

    /// A second compaction of an already compacted store changes nothing: compacted segments at
    /// least half the target size stay, and a smaller one alone is not rewritten for nothing.
    @Test func compactingTwiceLeavesCompactedSegmentsAlone() throws {
        let directory = TemporaryDirectory()
        try CompactionFixture.fill(directory.path, count: 300)
        try CompactionFixture.compact(directory.path) { $0.segmentBytes = 24 << 10 }
        let compacted = try CompactionFixture.files(directory.path)

        var again = CompactionOptions(directory: directory.path)
        again.segmentBytes = 24 << 10
        let second = try StoreCompactor.open(again)
        let secondPlan = try second.plan()
        second.close()
        #expect(secondPlan.segmentsToRemove == 0)
        #expect(secondPlan.eventsToRetire == 0 && secondPlan.duplicatesToDrop == 0)
        #expect(secondPlan.isEmpty, "a second run would rewrite \(secondPlan.segmentsToRewrite) segments")
        #expect(try CompactionFixture.files(directory.path) == compacted)
    }

    /// A record whose id an earlier record has is dropped; the first one stays; the hole it
    /// leaves reads as "not found" and verify accepts it.
    @Test func duplicateIdsAreDroppedKeepingTheFirstRecord() throws {
        let directory = TemporaryDirectory()
        // Every 10th event repeats the id of the event 35 before it.
        try CompactionFixture.fill(
            directory.path, count: 400,
            id: { number in
                number % 10 == 9 && number >= 35 ? "id-\(number - 35)" : "id-\(number)"
            })
        let before = try CompactionFixture.snapshot(directory.path)
        let activeStart = SegmentName.firstSequence(of: (directory.segmentPaths.last! as NSString).lastPathComponent)!
        var firstSequenceOfID = [String: UInt64]()
        var duplicates = Set<UInt64>()
        for sequence in before.keys.sorted() {
            let id = before[sequence]!.id
            if firstSequenceOfID[id] != nil && sequence < activeStart { duplicates.insert(sequence) }
            if firstSequenceOfID[id] == nil { firstSequenceOfID[id] = sequence }
        }
        #expect(duplicates.count > 20)

        let report = try CompactionFixture.compact(directory.path)

        #expect(report.duplicatesDropped == duplicates.count)
        try CompactionFixture.expectIntact(directory.path)
        let after = try CompactionFixture.snapshot(directory.path)
        CompactionFixture.expectSame(after, before.filter { !duplicates.contains($0.key) })
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        defer { store.close() }
        #expect(store.statistics.eventCount == after.count)
        for sequence in duplicates.prefix(5) {
            #expect(throws: StoreError.self) { try store.event(at: sequence) }
        }
    }

    /// Retention with an archive retires exactly the events older than the bound (wherever they
    /// sit, not only a prefix); importing the archive puts each back at its own sequence number.
    @Test func retentionWithArchiveRetiresExactlyTheOlderEventsAndImportRestoresThem() throws {
        let directory = TemporaryDirectory()
        let base: Int64 = 1_760_000_000_000_000
        // Events 0..<150 are old, and so is every 7th event after them.
        let old: (Int) -> Bool = { $0 < 150 || $0 % 7 == 3 }
        try CompactionFixture.fill(directory.path, count: 500) { number in
            EventTimestamp(microseconds: old(number) ? base + Int64(number) : base + 10_000_000 + Int64(number))
        }
        let before = try CompactionFixture.snapshot(directory.path)
        let activeStart = SegmentName.firstSequence(of: (directory.segmentPaths.last! as NSString).lastPathComponent)!
        let bound = EventTimestamp(microseconds: base + 5_000_000)
        let expectedRetired = Set(before.filter { $0.value.timestamp < bound && $0.key < activeStart }.map(\.key))
        #expect(expectedRetired.count > 150)
        let archive = directory.path + "/../" + (directory.path as NSString).lastPathComponent + "-archive.jsonl"
        defer { try? FileManager.default.removeItem(atPath: archive) }

        let report = try CompactionFixture.compact(directory.path) { options in
            options.retireBefore = bound
            options.archivePath = archive
        }

        #expect(report.eventsRetired == expectedRetired.count)
        #expect(report.eventsArchived == expectedRetired.count)
        try CompactionFixture.expectIntact(directory.path)
        let after = try CompactionFixture.snapshot(directory.path)
        CompactionFixture.expectSame(after, before.filter { !expectedRetired.contains($0.key) })
        let archived = try EventArchive.read(path: archive)
        #expect(archived.map(\.sequence) == expectedRetired.sorted())
        CompactionFixture.expectSame(
            Dictionary(uniqueKeysWithValues: archived.map { ($0.sequence, $0) }),
            before.filter { expectedRetired.contains($0.key) }, "archive")

        let compactor = try StoreCompactor.open(CompactionOptions(directory: directory.path))
        let imported = try compactor.importEvents(archived)
        compactor.close()
        #expect(imported.restoredInPlace == expectedRetired.count)
        #expect(imported.appended == 0 && imported.alreadyPresent == 0)
        try CompactionFixture.expectIntact(directory.path)
        CompactionFixture.expectSame(try CompactionFixture.snapshot(directory.path), before, "after import")

        // A second import finds every id present and adds nothing.
        let again = try StoreCompactor.open(CompactionOptions(directory: directory.path))
        let second = try again.importEvents(archived)
        again.close()
        #expect(second.alreadyPresent == archived.count && second.restoredInPlace == 0 && second.appended == 0)
    }

    /// Without an archive the same events go; segments that lose every event at the start of
    /// the store are deleted, and the store then starts at the first kept event's segment.
    @Test func retentionWithoutArchiveRemovesFullyRetiredLeadingSegments() throws {
        let directory = TemporaryDirectory()
        let base: Int64 = 1_760_000_000_000_000
        try CompactionFixture.fill(directory.path, count: 400) { number in
            EventTimestamp(microseconds: base + Int64(number) * 1_000)
        }
        let before = try CompactionFixture.snapshot(directory.path)
        let bound = EventTimestamp(microseconds: base + 250 * 1_000)
        let expectedRetired = Set(before.filter { $0.value.timestamp < bound }.map(\.key))

        let options = CompactionOptions(directory: directory.path)
        var retention = options
        retention.retireBefore = bound
        retention.segmentBytes = 48 << 10
        let compactor = try StoreCompactor.open(retention)
        let plan = try compactor.plan()
        #expect(plan.eventsToRetire == expectedRetired.count)
        #expect(plan.segmentsToRemove > 0)
        let report = try compactor.run(plan)
        compactor.close()

        #expect(report.eventsRetired == 250)
        try CompactionFixture.expectIntact(directory.path)
        CompactionFixture.expectSame(
            try CompactionFixture.snapshot(directory.path), before.filter { !expectedRetired.contains($0.key) })
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        #expect(store.statistics.eventCount == 150)
        #expect(store.firstSequence > 1 && store.firstSequence <= 251)
        #expect(try store.event(at: 251) == before[251])
        store.close()
    }
}
