import Foundation

/// The one place the store calls POSIX file APIs: every call retries on `EINTR` and turns a
/// failure into a `StoreError` that names the call, the errno and the file.
struct SystemFile: ~Copyable {
    let descriptor: Int32
    let path: String
    let faults: StoreFaults?

    /// Opens `path` for reading and writing, creating it if `create` is set.
    init(
        path: String, create: Bool, exclusive: Bool = false, readOnly: Bool = false, faults: StoreFaults?
    )
        throws(StoreError)
    {
        var flags = readOnly ? O_RDONLY : O_RDWR
        flags |= O_CLOEXEC
        if create { flags |= O_CREAT }
        if exclusive { flags |= O_EXCL }
        let descriptor = SystemFile.retrying { open(path, flags, 0o644) }
        guard descriptor >= 0 else { throw StoreError.system("open", errno: errno, path: path) }
        self.descriptor = descriptor
        self.path = path
        self.faults = faults
    }

    deinit {
        close(descriptor)
    }

    /// The file's current size in bytes.
    func size() throws(StoreError) -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw StoreError.system("fstat", errno: errno, path: path) }
        return Int(status.st_size)
    }

    /// Writes all of `bytes` at `offset`, looping over short writes.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(StoreError) {
        if let injected = faults?.takeWriteFailure() {
            // A failing disk may still have written part of the data: model that too.
            if injected.partialBytes > 0, bytes.count > 0 {
                _ = pwrite(descriptor, bytes.baseAddress, min(injected.partialBytes, bytes.count), off_t(offset))
            }
            throw StoreError.system("pwrite", errno: injected.errno, path: path, offset: Int64(offset))
        }
        var written = 0
        while written < bytes.count {
            let result = pwrite(
                descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset + written))
            if result < 0 {
                if errno == EINTR { continue }
                throw StoreError.system("pwrite", errno: errno, path: path, offset: Int64(offset + written))
            }
            if result == 0 {
                throw StoreError.system("pwrite", errno: EIO, path: path, offset: Int64(offset + written))
            }
            written += result
        }
    }

    /// Writes all of an array's bytes at `offset`.
    func write(_ bytes: [UInt8], at offset: Int) throws(StoreError) {
        let outcome = bytes.withUnsafeBytes { raw in Result { () throws(StoreError) in try write(raw, at: offset) } }
        try outcome.get()
    }

    /// Reads up to `count` bytes at `offset`.
    func read(count: Int, at offset: Int) throws(StoreError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var total = 0
        while total < count {
            let result = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + total, count - total, off_t(offset + total))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw StoreError.system("pread", errno: errno, path: path, offset: Int64(offset + total))
            }
            if result == 0 { break }
            total += result
        }
        buffer.removeLast(count - total)
        return buffer
    }

    /// Flushes the file's data (and the metadata needed to read it back) to the device: `fdatasync`.
    func syncData() throws(StoreError) {
        if let injected = faults?.takeSyncFailure() {
            throw StoreError.system("fdatasync", errno: injected, path: path)
        }
        guard SystemFile.retrying({ fdatasync(descriptor) }) == 0 else {
            throw StoreError.system("fdatasync", errno: errno, path: path)
        }
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int) throws(StoreError) {
        guard SystemFile.retrying({ ftruncate(descriptor, off_t(length)) }) == 0 else {
            throw StoreError.system("ftruncate", errno: errno, path: path, offset: Int64(length))
        }
    }

    /// Flushes a directory's entries, so a file created or renamed in it survives a crash.
    static func syncDirectory(_ path: String) throws(StoreError) {
        let descriptor = retrying { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw StoreError.system("open", errno: errno, path: path) }
        defer { close(descriptor) }
        guard retrying({ fsync(descriptor) }) == 0 else { throw StoreError.system("fsync", errno: errno, path: path) }
    }

    /// Creates `path` and its parents if they do not exist.
    static func createDirectory(_ path: String) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StoreError(
                .unavailable,
                "cannot create the data directory: \(error.localizedDescription); check its parent is writable",
                path: path)
        }
    }

    static func retrying(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }
}

/// A read-only shared memory mapping of a file (`mmap` with `PROT_READ`, `MAP_SHARED`).
///
/// The mapping may be longer than the file (the active segment is mapped at its full capacity
/// once); readers only ever touch bytes below the durable length they were given, so no page past
/// the end of the file is read.
final class MappedRegion: @unchecked Sendable {
    // Sendable: the mapping is read-only and never unmapped while a reference to it is alive.
    let base: UnsafeRawPointer
    let length: Int

    init(descriptor: Int32, length: Int, path: String) throws(StoreError) {
        precondition(length > 0, "a mapping needs at least one byte")
        let address = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else { throw StoreError.system("mmap", errno: errno, path: path) }
        base = UnsafeRawPointer(address)
        self.length = length
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), length)
    }

    /// The bytes `[offset, offset + count)`, or `nil` if that range is not inside `limit` (the
    /// durable length) and the mapping.
    func bytes(offset: Int, count: Int, limit: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= limit, count <= limit - offset, limit <= length else { return nil }
        return UnsafeRawBufferPointer(start: base + offset, count: count)
    }
}
