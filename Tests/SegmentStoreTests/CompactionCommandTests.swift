import Foundation
import Testing

@testable import SegmentStore

/// `segstore compact` and `segstore import` as an operator runs them: separate processes.
@Suite struct CompactionCommandTests {
    private static let base: Int64 = 1_760_000_000_000_000
    private static let bound = "2025-10-09T08:53:20.300000Z"

    /// 300 events, the first 150 (by timestamp) before `bound`.
    private func makeStore(_ directory: String) throws {
        try CompactionFixture.fill(directory, count: 300) { number in
            EventTimestamp(microseconds: Self.base + Int64(number) * 2_000)
        }
    }

    /// The daemon holds the directory's lock (here: this test process, with the store open);
    /// `segstore compact` in another process refuses with a one-line reason and changes nothing.
    @Test func compactRefusesWhileAnotherProcessHoldsTheDataDirectory() throws {
        let directory = TemporaryDirectory()
        try makeStore(directory.path)
        let store = try EventStore.open(StoreOptions(directory: directory.path))
        defer { store.close() }
        let files = try CompactionFixture.files(directory.path)

        let outcome = try SegstoreProcess.run(["compact", "--data-dir", directory.path])

        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("in use by process \(getpid())"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("stop the daemon"))
        #expect(outcome.standardError.split(separator: "\n").count == 1, "\(outcome.standardError)")
        #expect(try CompactionFixture.files(directory.path) == files)

        // In the same process the refusal is a typed error.
        #expect {
            _ = try StoreCompactor.open(CompactionOptions(directory: directory.path))
        } throws: { error in
            (error as? CompactionError)?.code == .locked
        }

        // A dry run reads only, so it may look at a live store; it says the real run would refuse.
        let dry = try SegstoreProcess.run(["compact", "--data-dir", directory.path, "--dry-run"])
        #expect(dry.status == 0, "\(dry.standardError)")
        #expect(dry.standardOutput.contains("refuses until it is stopped"), "\(dry.standardOutput)")
        #expect(try CompactionFixture.files(directory.path) == files)
    }

    /// Retiring without an archive needs --yes: without it the command says how many events it
    /// would remove and removes none; --dry-run prints before and after and changes nothing.
    @Test func retirementWithoutArchiveNeedsYesAndDryRunChangesNothing() throws {
        let directory = TemporaryDirectory()
        try makeStore(directory.path)
        let files = try CompactionFixture.files(directory.path)

        let refused = try SegstoreProcess.run(["compact", "--data-dir", directory.path, "--before", Self.bound])
        #expect(refused.status == 1)
        #expect(refused.standardOutput.contains("would retire 150 events"), "\(refused.standardOutput)")
        #expect(try CompactionFixture.files(directory.path) == files)

        let dry = try SegstoreProcess.run([
            "compact", "--data-dir", directory.path, "--before", Self.bound, "--dry-run",
        ])
        #expect(dry.status == 0, "\(dry.standardError)")
        #expect(dry.standardOutput.contains("dry run: nothing was changed"))
        #expect(dry.standardOutput.contains("would retire 150 events"), "\(dry.standardOutput)")
        #expect(dry.standardOutput.contains("events      300             150"), "\(dry.standardOutput)")
        #expect(try CompactionFixture.files(directory.path) == files)

        let done = try SegstoreProcess.run(["compact", "--data-dir", directory.path, "--before", Self.bound, "--yes"])
        #expect(done.status == 0, "\(done.standardError)")
        #expect(done.standardError.contains("retiring 150 events"), "\(done.standardError)")
        #expect(done.standardOutput.contains("150 retired"), "\(done.standardOutput)")
        #expect(try CompactionFixture.snapshot(directory.path).count == 150)
        let verify = try SegstoreProcess.run(["verify", "--data-dir", directory.path])
        #expect(verify.status == 0, "\(verify.standardOutput)")
        let stats = try SegstoreProcess.run(["stats", "--data-dir", directory.path, "--json"])
        #expect(stats.standardOutput.contains("\"events\":150"), "\(stats.standardOutput)")
    }

    /// The archive round trip through the two commands: compact --archive retires and archives,
    /// import restores every event at its original sequence number.
    @Test func archiveThenImportRestoresTheStore() throws {
        let directory = TemporaryDirectory()
        try makeStore(directory.path)
        let before = try CompactionFixture.snapshot(directory.path)
        let archive = directory.path + ".archive.jsonl"
        defer { try? FileManager.default.removeItem(atPath: archive) }

        let compact = try SegstoreProcess.run([
            "compact", "--data-dir", directory.path, "--before", Self.bound, "--archive", archive,
        ])
        #expect(compact.status == 0, "\(compact.standardError)")
        #expect(compact.standardOutput.contains("(150 archived to \(archive))"), "\(compact.standardOutput)")
        #expect(try CompactionFixture.snapshot(directory.path).count == 150)
        #expect(try String(contentsOfFile: archive, encoding: .utf8).split(separator: "\n").count == 150)

        // The archive exists now: a second run with the same file refuses before changing anything.
        let again = try SegstoreProcess.run([
            "compact", "--data-dir", directory.path, "--before", Self.bound, "--archive", archive,
        ])
        #expect(again.status == 1)
        #expect(again.standardError.contains("exists already"), "\(again.standardError)")

        let restore = try SegstoreProcess.run(["import", "--data-dir", directory.path, archive])
        #expect(restore.status == 0, "\(restore.standardError)")
        #expect(
            restore.standardOutput.contains("150 restored at their original sequence numbers"),
            "\(restore.standardOutput)")
        CompactionFixture.expectSame(try CompactionFixture.snapshot(directory.path), before)
        let verify = try SegstoreProcess.run(["verify", "--data-dir", directory.path])
        #expect(verify.status == 0, "\(verify.standardOutput)")
    }

    /// Importing into a different, empty store appends the events with new sequence numbers.
    @Test func importIntoAnotherStoreAppendsWithNewSequenceNumbers() throws {
        let directory = TemporaryDirectory()
        try makeStore(directory.path)
        let archive = directory.path + ".archive.jsonl"
        defer { try? FileManager.default.removeItem(atPath: archive) }
        try CompactionFixture.compact(directory.path) { options in
            options.retireBefore = EventTimestamp(rfc3339: Self.bound)
            options.archivePath = archive
        }
        let other = TemporaryDirectory()
        let seed = try EventStore.open(StoreOptions(directory: other.path))
        try seed.append([Events.make(9000), Events.make(9001)])
        seed.close()

        let restore = try SegstoreProcess.run(["import", "--data-dir", other.path, archive])
        #expect(restore.status == 0, "\(restore.standardError)")
        #expect(
            restore.standardOutput.contains("150 appended with new sequence numbers as sequences 3...152"),
            "\(restore.standardOutput)")
        let events = try CompactionFixture.snapshot(other.path)
        #expect(events.count == 152)
        #expect(events[3]?.id == "id-0" && events[152]?.id == "id-149")
    }

    @Test func badArgumentsExitWithTwo() throws {
        let directory = TemporaryDirectory()
        for arguments in [
            ["compact", "--data-dir", directory.path, "--older-than", "soon"],
            ["compact", "--data-dir", directory.path, "--older-than", "3d", "--before", Self.bound],
            ["compact", "--data-dir", directory.path, "--archive", directory.path + "/a.jsonl"],
            ["compact", "--data-dir", directory.path + "/missing"],
            ["import", "--data-dir", directory.path],
        ] {
            let outcome = try SegstoreProcess.run(arguments)
            #expect(outcome.status == 2, "\(arguments): \(outcome.standardError)")
            #expect(!outcome.standardError.isEmpty)
        }
    }
}
