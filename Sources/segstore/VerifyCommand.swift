import Foundation
import SegmentStore

/// `segstore verify`: one line per segment, a summary, progress on stderr, exit 0 only if intact.
enum VerifyCommand {
    static let help = """
        usage: segstore verify [--data-dir DIR]

        Checks every segment: header, each frame's length, sequence, checksum and decompression,
        the trailer's counts and bounds, the whole-file checksum, and sequence continuity across
        segments. Safe while the daemon writes. Exits 0 when everything is intact, 1 when anything
        is damaged, 2 on bad arguments.

        """

    static func run(dataDirectory: String) -> Int32 {
        let started = Date()
        let report: VerificationReport
        do {
            report = try StoreVerifier.verify(directory: dataDirectory) { done, total, path in
                let percent = total == 0 ? 100 : done * 100 / total
                FileHandle.standardError.write(Data("verify: \(done)/\(total) segments (\(percent)%) \(path)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("segstore: \(error)\n".utf8))
            return 2
        }
        for segment in report.segments {
            let name = (segment.path as NSString).lastPathComponent
            if segment.isIntact {
                let state = segment.sealed ? "sealed" : "active"
                var line = "OK      \(name)  \(segment.eventCount) events, \(segment.fileBytes) bytes, \(state)"
                if !segment.notes.isEmpty { line += " (" + segment.notes.joined(separator: "; ") + ")" }
                print(line)
            } else {
                for problem in segment.problems { print("DAMAGED \(problem)") }
            }
        }
        for problem in report.storeProblems { print("DAMAGED \(problem)") }
        let seconds = Date().timeIntervalSince(started)
        print(
            String(
                format: "%@: %d segments, %d events, %d bytes, compression ratio %.2f, checked in %.2f s",
                report.isIntact ? "intact" : "DAMAGED", report.segments.count, report.eventCount, report.fileBytes,
                report.compressionRatio, seconds))
        return report.isIntact ? 0 : 1
    }
}
