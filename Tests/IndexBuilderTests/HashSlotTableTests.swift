import Testing

@testable import IndexBuilder

@Suite struct HashSlotTableTests {
    /// (presized capacity, fingerprint space; 0 for all 32 bits): 5 fingerprints force long runs.
    @Test(arguments: [(0, 0), (10, 5), (1000, 1 << 20), (1000, 5), (20_000, 0), (20_000, 1 << 20)])
    func matchesDictionaryThroughInsertsAndRemoves(expected: Int, fingerprintSpace: Int) {
        var random = TestRandom(seed: UInt64(expected * 3 + fingerprintSpace))
        var table = HashSlotTable(expectedCount: expected)
        var model: [UInt32: [UInt32]] = [:]
        let space = fingerprintSpace == 0 ? Int(UInt32.max) : fingerprintSpace
        var nextValue: UInt32 = 1
        var live: [(UInt32, UInt32)] = []
        for round in 0..<(expected + (fingerprintSpace == 5 ? 600 : 3000)) {
            if !live.isEmpty && random.chance(round % 2 == 0 ? 0.3 : 0.1) {
                let pick = random.int(in: 0..<live.count)
                let (fingerprint, value) = live.swapAt(pick)
                let removed = table.remove(fingerprint: fingerprint, value: value)
                #expect(removed)
                model[fingerprint]!.removeAll { $0 == value }
            } else {
                let fingerprint = UInt32(random.int(in: 0..<space))
                table.insert(fingerprint: fingerprint, value: nextValue)
                model[fingerprint, default: []].append(nextValue)
                live.append((fingerprint, nextValue))
                nextValue += 1
            }
        }
        #expect(table.count == live.count)
        #expect(Double(table.count) <= Double(table.capacity) * HashSlotTable.maximumLoad)
        for (fingerprint, values) in model {
            var found: [UInt32] = []
            table.forEachValue(fingerprint: fingerprint) {
                found.append($0); return true
            }
            #expect(found.sorted() == values.sorted())
        }
        let removedMissing = table.remove(fingerprint: 7, value: nextValue + 1)
        #expect(!removedMissing)
    }

    @Test func presizedTableDoesNotGrow() {
        var table = HashSlotTable(expectedCount: 10_000)
        let capacity = table.capacity
        for value in 1...10_000 {
            table.insert(fingerprint: UInt32(truncatingIfNeeded: value &* 2_654_435_761), value: UInt32(value))
        }
        #expect(table.capacity == capacity)
        #expect(Double(table.count) / Double(capacity) > 0.8)
    }
}

extension Array {
    /// Removes the element at `index` in O(1) by moving the last element into its place.
    fileprivate mutating func swapAt(_ index: Int) -> Element {
        swapAt(index, count - 1)
        return removeLast()
    }
}
