#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Files: one typed wrapper per system call (open, fstat, stat, flock, read,
/// write, fsync, rename, unlink, realpath), errors as `SystemError`.
public enum Files {
    /// A small text file read whole (sysfs, /proc, .git/HEAD), or nil if it
    /// does not exist. Reads to end of file rather than trusting st_size
    /// (sysfs reports 4096 for a few bytes), but never more than `limit`
    /// bytes: a device such as /dev/zero fails with EFBIG instead of
    /// filling memory.
    public static func readText(_ path: String, limit: Int = 16 << 20) throws(SystemError) -> String? {
        let file: FileDescriptor
        do throws(SystemError) { file = try FileDescriptor.open(path, O_RDONLY) } catch where error.code == ENOENT { return nil }
        defer { file.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while case let count = try file.read(into: &chunk), count > 0 {
            bytes += chunk[..<count]
            guard bytes.count <= limit else { throw SystemError("read(\(path)) beyond \(limit) bytes", code: EFBIG) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// stat(2), or lstat(2) when `followLinks` is false; nil if nothing is
    /// there (ENOENT, or a dangling link when following).
    public static func status(_ path: String, followLinks: Bool = true) throws(SystemError) -> FileStatus? {
        var info = stat()
        let rc = followLinks ? stat(path, &info) : lstat(path, &info)
        guard rc == 0 else {
            if errno == ENOENT { return nil }
            throw SystemError("\(followLinks ? "stat" : "lstat")(\(path))", code: errno)
        }
        return FileStatus(info)
    }

    /// realpath(3): the absolute path with every link resolved. The last
    /// component may be missing (a link to a file not yet created): then
    /// its folder is resolved and the name kept.
    public static func resolved(_ path: String) throws(SystemError) -> String {
        if let full = realpath(path, nil) {
            defer { free(full) }
            return String(cString: full)
        }
        guard errno == ENOENT else { throw SystemError("realpath(\(path))", code: errno) }
        let (folder, name) = split(path)
        guard let full = realpath(folder, nil) else { throw SystemError("realpath(\(folder))", code: errno) }
        defer { free(full) }
        let prefix = String(cString: full)
        return (prefix == "/" ? "" : prefix) + "/" + name
    }

    /// The target of a symbolic link (readlink(2)), as written in the link.
    public static func linkTarget(_ path: String) throws(SystemError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw SystemError("readlink(\(path))", code: errno) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// rename(2).
    public static func move(_ from: String, to: String) throws(SystemError) {
        guard libcRename(from, to) == 0 else { throw SystemError("rename(\(from), \(to))", code: errno) }
    }

    /// unlink(2); a missing file is not an error.
    public static func remove(_ path: String) throws(SystemError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw SystemError("unlink(\(path))", code: errno) }
    }

    /// fsync(2) of the folder holding `path`, which makes a rename in it
    /// durable. A file system that cannot sync folders (EINVAL) is not an
    /// error: there is nothing more to do.
    public static func syncFolder(of path: String) throws(SystemError) {
        let folder = try FileDescriptor.open(split(path).folder, O_RDONLY | O_DIRECTORY)
        defer { folder.close() }
        do throws(SystemError) { try folder.sync() } catch where error.code == EINVAL {}
    }

    /// "a/b/c" -> ("a/b", "c"); "c" -> (".", "c"); "/c" -> ("/", "c").
    public static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = path[..<slash]
        return (folder.isEmpty ? "/" : String(folder), String(path[path.index(after: slash)...]))
    }
}

/// What stat(2) says about a file.
public struct FileStatus: Equatable, Sendable {
    public enum Kind: String, Sendable {
        case regular = "regular file", directory, symbolicLink = "symbolic link"
        case characterDevice = "character device", blockDevice = "block device", fifo = "FIFO", socket
    }

    public let kind: Kind
    /// Permission bits (07777).
    public let permissions: UInt32
    public let device: UInt64
    public let inode: UInt64
    public let size: Int

    init(_ info: stat) {
        kind = switch info.st_mode & S_IFMT {
        case S_IFDIR: .directory
        case S_IFLNK: .symbolicLink
        case S_IFCHR: .characterDevice
        case S_IFBLK: .blockDevice
        case S_IFIFO: .fifo
        case S_IFSOCK: .socket
        default: .regular
        }
        permissions = UInt32(info.st_mode) & 0o7777
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int(info.st_size)
    }

    /// Same file (device and inode).
    public func isSameFile(as other: FileStatus) -> Bool { device == other.device && inode == other.inode }
}

/// An open file descriptor; closed explicitly (`close`). Every call retries
/// on EINTR.
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
private func libcRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
