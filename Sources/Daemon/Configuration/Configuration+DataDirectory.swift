import Foundation

extension Configuration {
    /// Creates `DATA_DIR` (and its parents) if it is missing, then checks that it is a directory
    /// this process can write, by creating and removing a probe file.
    ///
    /// - Returns: The directory's absolute path.
    /// - Throws: `ConfigurationError` for `DATA_DIR` saying what failed and what to do.
    @discardableResult
    public func prepareDataDirectory() throws(ConfigurationError) -> String {
        let source = sources[.dataDirectory] ?? .defaultValue
        func failure(_ problem: String) -> ConfigurationError {
            ConfigurationError(setting: SettingKey.dataDirectory.rawValue, problem: problem, source: source)
        }
        let path = absolutePath(dataDirectory)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw failure("\(path) exists and is not a directory") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw failure("cannot create \(path): \(Self.reason(error)); choose a writable location")
            }
        }

        let probe = path + "/.candystore-write-check-\(getpid())"
        let descriptor = open(probe, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw failure("cannot write in \(path): \(reason); fix its permissions or choose another directory")
        }
        close(descriptor)
        unlink(probe)
        return path
    }

    /// `path` made absolute against the working directory, with `.` and `..` resolved.
    private func absolutePath(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let absolute = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return (absolute as NSString).standardizingPath
    }

    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as NSError).localizedDescription
    }
}
