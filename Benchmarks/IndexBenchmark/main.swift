// Index benchmark: rebuild rate, memory per event and query latency of the in-memory indexes.
//
// Usage: IndexBenchmark [--events 1000000,10000000] [--runs 300] [--store EVENTS]
//                       [--rebuild-only] [--verbose] [--only TEXT] [--store-dir DIR]
//
// --rebuild-only skips the queries, --verbose logs the rebuild's steps, --only runs just the query
// shapes whose name contains TEXT.
//
// The rebuild figures drive `IndexLoader` with synthetic indexed fields held in memory, so they
// measure the indexes alone; `--store EVENTS` also writes that many events to a temporary
// on-disk store and times `EventIndex.rebuild(from:)`, which includes reading the segments.
// --store-dir keeps that store in DIR and reuses it on the next run.
import Foundation
import IndexBuilder
import SegmentStore

var sizes = [1_000_000, 10_000_000]
var runs = 300
var storeEvents = 0
var storeDirectory: String?
var rebuildOnly = false
var verbose = false
var only: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--events": sizes = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--runs": runs = Int(arguments.next() ?? "") ?? runs
    case "--store": storeEvents = Int(arguments.next() ?? "") ?? 0
    case "--store-dir": storeDirectory = arguments.next()
    case "--rebuild-only": rebuildOnly = true
    case "--verbose": verbose = true
    case "--only": only = arguments.next()
    default:
        print("usage: IndexBenchmark [--events N,M] [--runs R] [--store EVENTS] [--rebuild-only] [--verbose]")
        print("                      [--only TEXT] [--store-dir DIR]")
        exit(2)
    }
}

for size in sizes {
    IndexScenario(size: size, runs: runs, rebuildOnly: rebuildOnly, verbose: verbose, only: only).run()
}
if storeEvents > 0 {
    StoreScenario(events: storeEvents, keptDirectory: storeDirectory, verbose: verbose).run()
}
