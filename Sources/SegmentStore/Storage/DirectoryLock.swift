import Foundation

/// An exclusive `flock` on `<data dir>/candystore.lock`, held by the process that writes the
/// store, so that a second writer (or `segstore compact`) finds out instead of corrupting it.
final class DirectoryLock: Sendable {
    /// The lock file's name inside the data directory.
    static let fileName = "candystore.lock"

    private let descriptor: Int32

    /// Takes the lock, or throws `StoreError.locked` if another process holds it.
    init(directory: String) throws(StoreError) {
        let path = directory + "/" + Self.fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError.system("open", errno: errno, path: path) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK {
                throw StoreError(
                    .locked,
                    "another process (a running candystore daemon?) holds the data directory; stop it first "
                        + "or use another directory",
                    path: path)
            }
            throw StoreError.system("flock", errno: code, path: path)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    /// Whether some process holds the lock on `directory` right now.
    static func isHeld(directory: String) -> Bool {
        let descriptor = open(directory + "/" + fileName, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) != 0 { return errno == EWOULDBLOCK }
        flock(descriptor, LOCK_UN)
        return false
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
