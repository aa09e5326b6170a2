#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform

/// Taking a report's lock (flock(2)), which another run appending a row,
/// or `flock r.csv command`, may hold for long. The wait is taken in
/// steps of `step` microseconds rather than one blocking flock: a stop
/// signal that arrives just before a blocking call would not end it, and
/// a user who sees nothing happen should be told why.
public enum ReportLock {
    /// How long a wait goes unsaid, and the step of the wait, in µs.
    static let patience = 1_000_000
    static let step = 20_000

    /// Takes the lock on `file`, the report at `path`. A wait longer than
    /// `patience` is said once, through `say`, "waiting for another run's
    /// lock on PATH…" and `why`. With `interruptible`, a stop signal (Ctrl-C,
    /// SIGTERM) ends the wait with an error; without, the wait goes on,
    /// for what it guards is a finished row (a second Ctrl-C kills, as
    /// always).
    static func take(_ file: FileDescriptor, path: String, why: String, interruptible: Bool,
                     say: (String) -> Void) throws(ReportError) {
        var waited = 0
        while !(try taken(file, path)) {
            if interruptible, Interruption.requested {
                throw ReportError("stopped while waiting for another run's lock on \(printable(path)); nothing was written")
            }
            if waited < patience && waited + step >= patience {
                say("waiting for another run's lock on \(printable(path))… (\(why))")
            }
            sleepMicroseconds(step)
            waited += step
        }
    }

    private static func taken(_ file: FileDescriptor, _ path: String) throws(ReportError) -> Bool {
        do { return try file.tryLock() } catch { throw ReportError("cannot write \(printable(path)): \(error)") }
    }

    /// One line on standard error, written whole; a failed write loses
    /// only the notice (the run's own output checks stderr).
    public static func printToStandardError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
