import SegmentStore
import Testing

@testable import IndexBuilder

@Suite struct TimeOrderTests {
    /// Timestamp shapes: in order, jittered, with a producer running far ahead, reversed, and
    /// all equal.
    static let shapes = ["ordered", "jittered", "runaway", "reversed", "constant"]

    @Test(arguments: shapes, [1, 2, 3, 500, 5000])
    func sortsByTimestampThenSequence(shape: String, count: Int) {
        var random = TestRandom(seed: UInt64(count) &* 31 &+ UInt64(shape.utf8.count))
        var columns = IndexColumns(firstSequence: 1)
        var timestamps: [(Int64, UInt32)] = []
        for index in 0..<count {
            let timestamp: Int64
            switch shape {
            case "ordered": timestamp = Int64(index) * 10
            case "jittered": timestamp = Int64(index) * 10 + Int64(random.int(in: -40...40))
            case "runaway": timestamp = random.chance(0.05) ? 1_000_000 + Int64(index) : Int64(index) * 10
            case "reversed": timestamp = Int64(count - index)
            default: timestamp = 7
            }
            if index % 97 == 13 {
                columns.appendGap()
                continue
            }
            let absent = IndexColumns.absentKey
            columns.append(timestamp: timestamp, keys: (0, absent, absent, absent, absent))
            timestamps.append((timestamp, UInt32(index + 1)))
        }
        let ordered = TimeOrder.sequences(in: columns, count: timestamps.count)
        #expect(Array(ordered) == timestamps.sorted { $0 < $1 }.map(\.1))
    }
}
