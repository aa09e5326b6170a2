#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CEvtchnShim

/// Files by path: one typed wrapper per system call (stat, lstat, realpath,
/// rename, unlink, mkdir, access, readlink, statfs), errors as `SystemError`, and the one
/// atomic file write; calls on an open file are `FileDescriptor`'s.
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

    /// readlink(2): where a symbolic link points, as written in it.
    public static func linkTarget(_ path: String) throws(SystemError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw SystemError("readlink(\(path))", code: errno) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// statfs(2) of `path` (links followed): what holds it. A report must
    /// live on a file system that stores bytes; the kernel's interfaces
    /// (/proc, /sys) show files of size 0 that block, change or act when
    /// written, and a pipe's end in /dev/fd is no named FIFO.
    public static func fileSystem(of path: String) throws(SystemError) -> FileSystem {
        var type: Int64 = 0
        let rc = evtchn_file_system_type(path, &type)
        guard rc == 0 else { throw SystemError("statfs(\(path))", code: rc) }
        return FileSystem(type: type)
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

    /// Writes `bytes` to `path` so that it is never seen half-written:
    /// creates `temporary` exclusively (EEXIST if it is there, untouched),
    /// with `permissions` (kept through the umask) or 0644, writes, fsyncs,
    /// renames it over `path`, and fsyncs the folder. `temporary` is removed
    /// on every failure after it was created, until the rename.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, through temporary: String,
                                       permissions: UInt32?) throws(SystemError) {
        let file = try FileDescriptor.open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode: permissions ?? 0o644)
        do {
            do {
                defer { file.close() }
                if let permissions { try file.setPermissions(permissions) }
                try file.write(bytes)
                // The data must be on disk before the rename publishes it:
                // otherwise a crash soon after the rename could leave the
                // file empty or short.
                try file.sync()
            }
            try move(temporary, to: path)
        } catch {
            try? remove(temporary)
            throw error
        }
        try syncFolder(of: path)
    }

    /// mkdir(2) of one level.
    public static func makeFolder(_ path: String, permissions: UInt32 = 0o755) throws(SystemError) {
        guard mkdir(path, mode_t(permissions)) == 0 else { throw SystemError("mkdir(\(path))", code: errno) }
    }

    /// access(2) with W_OK: whether this process may write in `path`.
    public static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

    /// "a/b/c" -> ("a/b", "c"); "c" -> (".", "c"); "/c" -> ("/", "c").
    public static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = path[..<slash]
        return (folder.isEmpty ? "/" : String(folder), String(path[path.index(after: slash)...]))
    }
}

/// What statfs(2) says holds a file.
public enum FileSystem: Equatable, Sendable {
    /// An anonymous pipe (pipefs): `<(...)`, /dev/stdin of `a | b`.
    case pipe
    /// One of the kernel's interfaces, by its usual name.
    case kernel(String)
    /// Anything else: a file system that stores what is written.
    case storage

    init(type: Int64) {
        let kernel: [Int64: String] = [
            0x9fa0: "/proc (procfs)", 0x6265_6572: "/sys (sysfs)", 0x6462_6720: "debugfs", 0x7472_6163: "tracefs",
            0x0027_e0eb: "cgroupfs", 0x6367_7270: "cgroup2fs", 0x7363_6673: "securityfs", 0xcafe_4a11: "bpffs",
            0x6265_6570: "configfs", 0xde5e_81e4: "efivarfs", 0x4249_4e4d: "binfmt_misc", 0x6e73_6673: "nsfs",
            0x534f_434b: "sockfs",
        ]
        if type == 0x5049_5045 { self = .pipe } else if let name = kernel[type] { self = .kernel(name) } else { self = .storage }
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

// rename(2) under a name that Files.move does not shadow.
private func libcRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
