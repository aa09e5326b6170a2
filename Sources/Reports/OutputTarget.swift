#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform

/// Where an output path leads, checked: what is there must be a regular,
/// writable file (through a link, its target) or nothing yet.
struct OutputTarget {
    let path: String
    /// The path with links resolved: where the bytes go.
    let target: String
    /// What is there now; nil if nothing is.
    let existing: FileStatus?
    var notes: [String] = []

    init(_ path: String) throws(ReportError) {
        self.path = path
        let name = printable(path)
        do {
            let link = try Files.status(path, followLinks: false)
            if link?.kind == .symbolicLink {
                target = try Files.resolved(path)
                notes.append("\(name) is a symbolic link: writing through it to \(printable(target)) (the link stays)")
            } else {
                target = path
            }
            existing = try Files.status(target)
        } catch {
            throw ReportError("cannot write \(name): \(error)")
        }
        if let existing { try Self.check(existing, name) }
        // /proc and /sys hold files that act when written (hostname,
        // drop_caches): never a report, even when writable.
        if existing != nil, case .kernel(let kernel) = try? Files.fileSystem(of: target) {
            throw ReportError("cannot write \(name): it is a file of \(kernel), a kernel interface, not a report file")
        }
        // A leftover of an interrupted atomic write (kill -9 of an older
        // version, or of writeFileAtomically): said, never overwritten.
        for leftover in Set([path + ".tmp", target + ".tmp"]) where (try? Files.status(leftover, followLinks: false)) != nil {
            notes.append("\(printable(leftover)) exists: a temporary file left by a write that was killed (kill -9, crash); "
                         + "it is not part of the report and is left as it is")
        }
    }

    /// The file actually opened must pass the same checks (the path may
    /// have changed between the check and the open).
    /// A file this run `created` is its own: its mode, whatever the umask
    /// made it, is no user's protection.
    func checkOpened(_ opened: FileStatus, created: Bool = false) throws(ReportError) {
        if !created { try Self.check(opened, printable(path)) }
        if let existing, !existing.isSameFile(as: opened) {
            throw ReportError("cannot write \(printable(path)): it changed while being opened")
        }
    }

    private static func check(_ status: FileStatus, _ name: String) throws(ReportError) {
        guard status.kind == .regular else {
            throw ReportError("cannot write \(name): it is a \(status.kind.rawValue), not a regular file; "
                              + "give a regular file (or a new path)")
        }
        guard status.permissions & 0o200 != 0 else {
            throw ReportError("cannot write \(name): it is read-only (mode 0\(String(status.permissions, radix: 8))); "
                              + "a protected report is not changed; choose another path")
        }
    }
}

/// Checks a path another program (gnuplot) will write: nothing there yet,
/// or a regular file with its owner write bit (through a link, its
/// target). Devices, FIFOs, folders and read-only files are refused.
public func checkOutputPath(_ path: String) throws(ReportError) {
    _ = try OutputTarget(path)
}

/// Writes `content` to `path` so that the file is never seen half-written:
/// to "<target>.tmp" in the same folder, fsync, rename over the target,
/// fsync the folder. The output is checked as for reports (regular files
/// only, links written through, read-only refused) and a replaced file
/// keeps its permissions. A leftover "<target>.tmp" (a write killed
/// midway, or one still running) is refused, never overwritten. Errors
/// name `path` and the step and errno that failed; the temporary file is
/// removed on every failure after it was created.
public func writeFileAtomically(_ path: String, _ content: String) throws(ReportError) {
    let output = try OutputTarget(path)
    let temporary = output.target + ".tmp"
    let name = printable(path)
    do throws(SystemError) {
        try Files.writeAtomically(Array(content.utf8), to: output.target, through: temporary,
                                  permissions: output.existing?.permissions)
    } catch where error.code == EEXIST && error.operation.hasPrefix("open(") {
        throw ReportError("cannot write \(name): \(printable(temporary)) exists, left by a write that was killed "
                          + "(or one still running); remove it if no other evtchn-bench is writing there")
    } catch {
        throw ReportError("cannot write \(name): \(error)")
    }
}
