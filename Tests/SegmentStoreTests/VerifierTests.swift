import Foundation
import SegmentStore
import Testing

@Suite struct VerifierTests {
    private func makeStore(in directory: TemporaryDirectory) throws {
        var options = StoreOptions(directory: directory.path)
        options.segmentBytes = 16 << 10
        options.frameBytes = 4 << 10
        let store = try EventStore.open(options)
        for round in 0..<40 {
            try store.append((0..<6).map { Events.make(round * 6 + $0, payloadBytes: 500) })
        }
        store.close()
    }

    @Test func intactStorePasses() throws {
        let directory = TemporaryDirectory()
        try makeStore(in: directory)
        let report = try StoreVerifier.verify(directory: directory.path)
        #expect(report.isIntact, "\(report.segments.flatMap(\.problems))")
        #expect(report.eventCount == 240)
        #expect(report.segments.count >= 3)
        #expect(report.compressionRatio > 1)
    }

    /// Flips one bit at many positions of a sealed segment: verify must name that file and an
    /// offset at or before the flipped byte, and the other segments must still read.
    @Test func flippedBitInASealedSegmentIsFoundWithItsFileAndOffset() throws {
        let directory = TemporaryDirectory()
        try makeStore(in: directory)
        let sealed = directory.segmentPaths[1]
        let original = try Data(contentsOf: URL(fileURLWithPath: sealed))
        var generator = SeededGenerator(seed: 42)
        let positions =
            [0, 10, 63, 64, 100, original.count / 2, original.count - 100, original.count - 1]
            + (0..<24).map { _ in Int.random(in: 0..<original.count, using: &generator) }

        for position in positions {
            var damaged = original
            damaged[position] ^= UInt8(1 << (position % 8))
            try damaged.write(to: URL(fileURLWithPath: sealed))

            let report = try StoreVerifier.verify(directory: directory.path)
            #expect(!report.isIntact, "bit flip at \(position) went unnoticed")
            let bad = report.segments.filter { !$0.isIntact }
            #expect(bad.map(\.path) == [sealed], "flip at \(position)")
            let offsets = bad.flatMap(\.problems).compactMap { problem -> Int? in
                guard let range = problem.range(of: "at byte ") else { return nil }
                return Int(problem[range.upperBound...].prefix { $0.isNumber })
            }
            #expect(!offsets.isEmpty && offsets.min()! <= position, "flip at \(position): \(bad.flatMap(\.problems))")

            // The other segments still read.
            let store = try EventStore.open(StoreOptions(directory: directory.path))
            let firstSegmentEvent = try store.event(at: 1)
            #expect(firstSegmentEvent.id == "id-0")
            #expect(try store.event(at: store.lastDurableSequence).id == "id-239")
            store.close()
        }
        try original.write(to: URL(fileURLWithPath: sealed))
        #expect(try StoreVerifier.verify(directory: directory.path).isIntact)
    }

    @Test func missingDirectoryIsAnError() {
        #expect(throws: StoreError.self) { try StoreVerifier.verify(directory: "/nonexistent/candystore") }
    }
}
