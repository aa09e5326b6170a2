#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An open file descriptor: one typed wrapper per system call (open, fstat,
/// fchmod, flock, read, pread, poll, write, fsync, close), errors as
/// `SystemError`; closed explicitly (`close`). Every call retries on EINTR.
public struct FileDescriptor: Sendable {
    public let raw: Int32

    /// open(2) with O_CLOEXEC added; `mode` applies when O_CREAT creates.
    public static func open(_ path: String, _ flags: Int32, mode: UInt32 = 0o644) throws(SystemError) -> FileDescriptor {
        while true {
            let fd = libcOpen(path, flags | O_CLOEXEC, mode_t(mode))
            if fd >= 0 { return FileDescriptor(raw: fd) }
            guard errno == EINTR else { throw SystemError("open(\(path))", code: errno) }
        }
    }

    /// fstat(2).
    public func status() throws(SystemError) -> FileStatus {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw SystemError("fstat", code: errno) }
        return FileStatus(info)
    }

    /// fchmod(2).
    public func setPermissions(_ permissions: UInt32) throws(SystemError) {
        guard fchmod(raw, mode_t(permissions)) == 0 else { throw SystemError("fchmod", code: errno) }
    }

    /// flock(2): an exclusive lock (waits for it), or `unlock`. Advisory:
    /// it orders writers that all take it.
    public func lock(exclusive: Bool = true) throws(SystemError) {
        while flock(raw, exclusive ? LOCK_EX : LOCK_UN) != 0 {
            guard errno == EINTR else { throw SystemError("flock", code: errno) }
        }
    }

    public func unlock() throws(SystemError) { try lock(exclusive: false) }

    /// flock(2) with LOCK_NB: true when the exclusive lock was taken, false
    /// when another open file holds it. Lets a caller wait in steps it can
    /// end (a stop signal) and say that it waits.
    public func tryLock() throws(SystemError) -> Bool {
        while flock(raw, LOCK_EX | LOCK_NB) != 0 {
            if errno == EWOULDBLOCK { return false }
            guard errno == EINTR else { throw SystemError("flock", code: errno) }
        }
        return true
    }

    /// read(2) into `buffer`; the count read, 0 at end of file.
    public func read(into buffer: inout [UInt8]) throws(SystemError) -> Int {
        while true {
            // Safe: the pointer is valid for buffer.count bytes inside the closure.
            let count = buffer.withUnsafeMutableBytes { libcRead(raw, $0.baseAddress, $0.count) }
            if count >= 0 { return count }
            guard errno == EINTR else { throw SystemError("read", code: errno) }
        }
    }

    /// pread(2) of up to `count` bytes at `offset`; shorter only at end of file.
    public func read(count: Int, at offset: Int) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            // Safe: done < count = bytes.count, so the range is inside the buffer.
            let got = bytes.withUnsafeMutableBytes { pread(raw, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if got == 0 { break }
            if got < 0 {
                guard errno == EINTR else { throw SystemError("pread", code: errno) }
                continue
            }
            done += got
        }
        return Array(bytes[..<done])
    }

    /// poll(2) until there is something to read (or end of file).
    public func waitReadable() throws(SystemError) {
        var request = pollfd(fd: raw, events: Int16(POLLIN), revents: 0)
        while poll(&request, 1, -1) < 0 {
            guard errno == EINTR else { throw SystemError("poll", code: errno) }
        }
    }

    /// write(2) until every byte is written.
    public func write(_ bytes: [UInt8]) throws(SystemError) {
        var written = 0
        while written < bytes.count {
            // Safe: written < bytes.count, so the range is inside the buffer.
            let count = bytes.withUnsafeBytes { libcWrite(raw, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                guard errno == EINTR else { throw SystemError("write", code: errno) }
                continue
            }
            written += count
        }
    }

    /// fsync(2).
    public func sync() throws(SystemError) {
        guard fsync(raw) == 0 else { throw SystemError("fsync", code: errno) }
    }

    /// close(2); nothing to do on failure for a file only read or already synced.
    public func close() { _ = libcClose(raw) }
}

// The libc calls under names that the members above do not shadow.
private func libcOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func libcRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func libcWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
private func libcClose(_ fd: Int32) -> Int32 { close(fd) }
