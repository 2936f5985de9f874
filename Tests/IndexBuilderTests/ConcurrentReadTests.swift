import Dispatch
import SegmentStore
import Testing

@testable import IndexBuilder

@Suite struct ConcurrentReadTests {
    /// Readers take snapshots while the writer applies batches; every snapshot must answer exactly
    /// as the events up to its last sequence number would.
    @Test func snapshotsStayConsistentWhileTheWriterApplies() throws {
        var fixtures = EventFixtures(seed: 31)
        let events = fixtures.next(4000)
        var typeCounts = [0]
        for event in events { typeCounts.append(typeCounts.last! + (event.eventType == "type.2" ? 1 : 0)) }
        let index = try EventIndex.loading(Array(events[..<500]))
        let engine = QueryEngine(index: index)
        let writer = DispatchGroup()
        DispatchQueue.global().async(group: writer) {
            var start = 500
            while start < events.count {
                try? index.apply(Array(events[start..<min(events.count, start + 35)]))
                start += 35
            }
        }
        var checked = 0
        repeat {
            let snapshot = index.snapshot()
            let last = Int(snapshot.lastSequence)
            let all = try engine.run(EventQuery(limit: 50), on: snapshot)
            let typed = try engine.run(EventQuery(eventType: "type.2", limit: 1000), on: snapshot)
            #expect(all.total == last)
            #expect(typed.total == typeCounts[last])
            #expect(all.sequences.allSatisfy { $0 <= UInt64(last) })
            #expect(Set(typed.sequences).count == typed.sequences.count)
            checked += 1
        } while index.lastSequence < UInt64(events.count) || checked < 10
        writer.wait()
        try index.snapshot().validate()
        #expect(index.snapshot().eventCount == events.count)
    }
}
