import Foundation

/// What `segstore import` did.
public struct ImportReport: Sendable {
    /// Events in the archive (after dropping repeats of an id inside the archive itself).
    public var eventsInArchive = 0
    /// Lines whose id an earlier line of the archive already had.
    public var repeatedInArchive = 0
    /// Events whose id the store already holds: skipped.
    public var alreadyPresent = 0
    /// Events put back at their original sequence numbers, and the lowest and highest of those.
    public var restoredInPlace = 0
    public var restoredRange: ClosedRange<UInt64>?
    /// Events appended with new sequence numbers (their original one is taken or lies in the
    /// active segment's range), and the sequence numbers they got.
    public var appended = 0
    public var appendedRange: ClosedRange<UInt64>?
    /// Segments rewritten to take restored events, and new segments written before the first.
    public var segmentsRewritten = 0
    /// Wall-clock time.
    public var seconds = 0.0
}

extension StoreCompactor {
    /// The position of the input whose range holds `sequence`, by binary search.
    static func input(holding sequence: UInt64, in inputs: [CompactionInput]) -> Int? {
        var low = 0
        var high = inputs.count
        while low < high {
            let middle = (low + high) / 2
            if inputs[middle].endSequence <= sequence { low = middle + 1 } else { high = middle }
        }
        return low < inputs.count && inputs[low].firstSequence <= sequence ? low : nil
    }

    /// Events appended per batch when they cannot go back to their own sequence numbers.
    static var importBatchSize: Int { 1000 }

    /// Brings archived events back into the store.
    ///
    /// An event whose id the store already holds is skipped. The others go back to their
    /// original sequence numbers when those are free: a hole that compaction left inside a
    /// sealed segment, or a range before the store's first segment (retired segments that were
    /// deleted). Those segments are rewritten (or the new first one is written) with the same
    /// crash-safe steps as a compaction, so cursors issued before the events were retired find
    /// them again. Every other event (its number is taken by another event, or lies at or after
    /// the newest segment's start, as when importing into another store) is appended and gets
    /// the next sequence numbers and a new `stored_at`.
    ///
    /// - Parameter events: the archive's events, as `EventArchive.read` returns them.
    /// - Throws: `CompactionError`; groups completed before a failure stay imported, and
    ///   importing the same archive again skips them by id.
    public func importEvents(_ events: [StoredEvent]) throws -> ImportReport {
        precondition(!options.dryRun, "an import writes to the store")
        let started = Self.monotonicSeconds()
        var report = ImportReport()
        var unique = [StoredEvent]()
        var byID = [String: Int]()
        for event in events {
            if byID[event.id] != nil {
                report.repeatedInArchive += 1
                continue
            }
            byID[event.id] = unique.count
            unique.append(event)
        }
        report.eventsInArchive = unique.count

        let (sealed, newest) = try sealedInputs()
        var inputs = sealed
        var bySequence = [UInt64: Int]()
        for (index, event) in unique.enumerated() where event.sequence > 0 { bySequence[event.sequence] = index }
        var present = [Bool](repeating: false, count: unique.count)
        var taken = [Bool](repeating: false, count: unique.count)
        var position = 0
        let inputsEnd = inputs.last?.endSequence ?? 0
        try scanIndexedFields(before: .max) { fields in
            if let index = byID[fields.id] { present[index] = true }
            if let index = bySequence[fields.sequence], unique[index].id != fields.id { taken[index] = true }
            if fields.sequence < inputsEnd {
                while fields.sequence >= inputs[position].endSequence { position += 1 }
                inputs[position].record(fields.sequence)
            }
        }

        let storeStart = inputs.first?.firstSequence ?? newest?.firstSequence ?? 1
        let newestStart = newest?.firstSequence ?? 1
        var prefix = [StoredEvent]()
        var holes = [Int: [StoredEvent]]()
        var append = [StoredEvent]()
        for (index, event) in unique.enumerated() {
            if present[index] {
                report.alreadyPresent += 1
            } else if event.sequence == 0 || taken[index] || event.sequence >= newestStart {
                append.append(event)
            } else if event.sequence < storeStart {
                prefix.append(event)
            } else if let segment = Self.input(holding: event.sequence, in: inputs) {
                holes[segment, default: []].append(event)
            } else {
                append.append(event)
            }
        }

        var groups = [CompactionGroup]()
        if !prefix.isEmpty {
            prefix.sort { $0.sequence < $1.sequence }
            groups.append(
                CompactionGroup(
                    inputs: [], action: .rewrite, coverage: prefix[0].sequence..<storeStart, inserted: prefix))
        }
        for (segment, restored) in holes.sorted(by: { $0.key < $1.key }) {
            let input = inputs[segment]
            groups.append(
                CompactionGroup(
                    inputs: [input], action: .rewrite, coverage: input.firstSequence..<input.endSequence,
                    inserted: restored.sorted { $0.sequence < $1.sequence }))
        }
        for (position, group) in groups.enumerated() {
            let outcome = try rewrite(group)
            report.restoredInPlace += group.inserted.count
            report.segmentsRewritten += 1
            let low = min(report.restoredRange?.lowerBound ?? .max, group.inserted.first!.sequence)
            let high = max(report.restoredRange?.upperBound ?? 0, group.inserted.last!.sequence)
            report.restoredRange = low...high
            progress(
                "[\(position + 1)/\(groups.count)] restored \(group.inserted.count) events at their sequence "
                    + "numbers into \((outcome.path as NSString).lastPathComponent)")
        }

        append.sort { ($0.sequence == 0 ? UInt64.max : $0.sequence) < ($1.sequence == 0 ? UInt64.max : $1.sequence) }
        var start = 0
        while start < append.count {
            let end = min(start + Self.importBatchSize, append.count)
            let batch = append[start..<end].map { event -> StoredEvent in
                var copy = event
                copy.sequence = 0
                return copy
            }
            let durable: DurableBatch
            do {
                durable = try store.append(batch)
            } catch {
                throw CompactionError(.storeFailure, "appending imported events failed: \(error)")
            }
            report.appended += durable.count
            let low = report.appendedRange?.lowerBound ?? durable.firstSequence
            report.appendedRange = low...(durable.firstSequence + UInt64(durable.count) - 1)
            try step(.eventsAppended(count: durable.count))
            start = end
        }
        if report.appended > 0 { progress("appended \(report.appended) events with new sequence numbers") }
        report.seconds = Self.monotonicSeconds() - started
        return report
    }
}
