#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform
import Reports

/// Where a sweep's rows (and histograms) go, opened before the first run
/// so that an unwritable path fails before any work.
public struct SweepOutput {
    public let path: String
    public let writer: CSVReportWriter
    /// Folder for per-row HdrHistogram files, if asked for.
    public let histogramFolder: String?
    /// What makes this run's histogram file names its own: the UTC start
    /// time and the process id, so that a second run on the same report,
    /// or one at the same time, never writes over (or trips on the
    /// temporary files of) another's.
    public let runStamp: String

    /// Creates the histogram folder, proves it takes a file, and opens (or
    /// creates, with its header) the report: all before the first run, so
    /// that no finished row is lost to an unwritable output.
    public init(path: String, histogramFolder: String?) throws(PlanError) {
        runStamp = utcTimestamp(secondsSinceEpoch: secondsSinceEpoch()).filter { $0 != "-" && $0 != ":" }
            + "-p\(getpid())"
        if let histogramFolder {
            try makeFolder(histogramFolder, what: "--histograms")
            try probeFolder(histogramFolder, stamp: runStamp)
        }
        do { writer = try CSVReportWriter(path: path, columns: RunRecord.columns) } catch {
            throw PlanError(error.description)
        }
        self.path = path
        self.histogramFolder = histogramFolder
    }

    /// Creates the folder `path` goes in when nothing is there (mode 0755
    /// less the umask): only for the default report path, so that a first
    /// run works in a fresh checkout while a mistyped `--output` folder
    /// still fails.
    public static func makeDefaultFolder(of path: String) throws(PlanError) {
        try makeFolder(Files.split(path).folder, what: "the default output folder")
    }

    /// What a run checks before creating anything: the report's folder is
    /// writable, the histogram folder is a folder or can be made.
    public static func check(path: String, histogramFolder: String?) throws(PlanError) {
        try requireWritableFolder(of: path, what: "--output")
        if let histogramFolder {
            switch look(histogramFolder) {
            case .folder: break
            case .nothing: try requireWritableFolder(of: histogramFolder, what: "--histograms")
            case .other(let why): throw PlanError("--histograms: \(printable(histogramFolder)) \(why)")
            }
        }
    }
}

/// What is at a path, for the checks: nothing, a folder, or something
/// that is no folder, said in words (a file, a dangling link, a loop of
/// links, a path that cannot be looked at).
private enum Found {
    case nothing, folder
    case other(String)
}

private func look(_ path: String) -> Found {
    do throws(SystemError) {
        if let status = try Files.status(path) { return status.kind == .directory ? .folder : .other("is not a folder") }
        // stat found nothing: a link to nothing is still something there.
        if try Files.status(path, followLinks: false) != nil { return .other("is a link to nothing (a dangling link)") }
        return .nothing
    } catch where error.code == ELOOP {
        return .other("is a loop of symbolic links")
    } catch {
        return .other("cannot be looked at (\(error.reason))")
    }
}

private func requireWritableFolder(of path: String, what: String) throws(PlanError) {
    let slash = path.lastIndex(of: "/")
    let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    switch look(folder) {
    case .folder: break
    case .nothing: throw PlanError("\(what): folder \(printable(folder)) does not exist")
    case .other(let why): throw PlanError("\(what): \(printable(folder)) \(why)")
    }
    guard Files.isWritable(folder) else { throw PlanError("\(what): folder \(printable(folder)) is not writable") }
}

/// Writes and removes a small file in `folder`: a read-only folder, a
/// pseudo file system (/proc) or a full disk fails here, not after a run.
private func probeFolder(_ folder: String, stamp: String) throws(PlanError) {
    let probe = folder + "/.evtchn-bench-probe-" + stamp
    do throws(SystemError) {
        try Files.writeAtomically(Array("probe\n".utf8), to: probe, through: probe + ".tmp", permissions: nil)
        try Files.remove(probe)
    } catch {
        throw PlanError("--histograms: cannot write in \(printable(folder)): \(error.reason)")
    }
}

/// Creates `path` (one level) unless it exists as a folder already;
/// `what` names it in the error.
private func makeFolder(_ path: String, what: String) throws(PlanError) {
    switch look(path) {
    case .folder: return
    case .other(let why): throw PlanError("\(what): \(printable(path)) \(why)")
    case .nothing: break
    }
    do throws(SystemError) { try Files.makeFolder(path) } catch {
        throw PlanError("\(what): cannot create \(printable(path)): \(error.reason)")
    }
}
