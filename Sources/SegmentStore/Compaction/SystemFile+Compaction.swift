import Foundation

extension SystemFile {
    /// Renames `source` to `destination` atomically (`rename`), replacing a file already there.
    static func rename(_ source: String, to destination: String) throws(StoreError) {
        guard retrying({ Foundation.rename(source, destination) }) == 0 else {
            throw StoreError.system("rename", errno: errno, path: source)
        }
    }

    /// Removes the file at `path` (`unlink`); a file that is already gone is not an error.
    static func remove(_ path: String) throws(StoreError) {
        guard retrying({ unlink(path) }) == 0 || errno == ENOENT else {
            throw StoreError.system("unlink", errno: errno, path: path)
        }
    }

    /// Whether something exists at `path` (`lstat`).
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }
}
