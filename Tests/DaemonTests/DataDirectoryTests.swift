import Daemon
import Foundation
import Testing

@Suite struct DataDirectoryTests {
    private func configuration(dataDirectory: String) throws -> Configuration {
        try Configuration.load(environment: ["DATA_DIR": dataDirectory], dotEnvPath: nil)
    }

    @Test func createsAMissingDirectoryWithItsParents() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = try configuration(dataDirectory: root + "/a/b").prepareDataDirectory()
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(path == root + "/a/b")
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty)
    }

    @Test func anExistingDirectoryIsAccepted() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try configuration(dataDirectory: root + "/./").prepareDataDirectory() == root)
    }

    @Test func aFileIsNotADataDirectory() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("file-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect {
            try configuration(dataDirectory: file).prepareDataDirectory()
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.setting == "DATA_DIR" && error?.problem.contains("not a directory") == true
        }
    }

    @Test func aDirectoryThatCannotBeCreatedIsAnError() throws {
        #expect {
            try configuration(dataDirectory: "/proc/candystore-cannot-exist/data").prepareDataDirectory()
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.setting == "DATA_DIR" && error?.problem.hasPrefix("cannot create") == true
                && error?.source == .environment
        }
    }

    @Test func aDirectoryThatCannotBeWrittenIsAnError() throws {
        // sysfs refuses new files even to root, so this holds whoever runs the tests.
        #expect {
            try configuration(dataDirectory: "/sys").prepareDataDirectory()
        } throws: { error in
            (error as? ConfigurationError)?.problem.hasPrefix("cannot write in /sys") == true
        }
    }
}
