#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CEvtchnShim

/// Ctrl-C handling for long runs: the first SIGINT (or SIGTERM, SIGQUIT,
/// SIGPIPE) only raises a flag that the run loop polls, so the current
/// configuration ends cleanly and finished results stay on disk; a second
/// one kills. A failed write to stdout or stderr stops the run the same
/// way (`checkOutput`), as a SIGPIPE would.
public enum Interruption {
    public static func install() throws(SystemError) {
        let rc = evtchn_install_interrupt_handler()
        guard rc == 0 else { throw SystemError("sigaction(SIGINT, SIGTERM, SIGQUIT, SIGPIPE)", code: rc) }
    }

    /// Opens /dev/null on any of descriptors 0, 1 and 2 that is closed,
    /// before anything else is opened: else the report would be opened as
    /// descriptor 1 and the progress lines would go into it.
    public static func ensureStandardDescriptors() throws(SystemError) {
        let rc = evtchn_ensure_standard_fds()
        guard rc == 0 else { throw SystemError("open(/dev/null) for a closed standard descriptor", code: rc) }
    }

    /// Flushes stdout and stderr; if either has failed (a closed pipe, a
    /// full disk, a bad descriptor), asks the run to stop as SIGPIPE does,
    /// so that every finished row is kept and the exit is 141. True when
    /// the output is fine.
    @discardableResult
    public static func checkOutput() -> Bool {
        guard evtchn_output_failed() != 0 else { return true }
        evtchn_request_stop(SIGPIPE)
        return false
    }

    public static var requested: Bool { evtchn_interrupted() != 0 }

    /// The signal that asked to stop (SIGINT or SIGTERM), if one did.
    public static var signal: Int32? {
        let signal = evtchn_interrupted()
        return signal != 0 ? signal : nil
    }

    /// The exit status a shell expects after `signal`: 128 + its number
    /// (130 for SIGINT, 143 for SIGTERM).
    public static func exitStatus(after signal: Int32) -> Int32 { 128 + signal }

    /// The exit status for the signal that asked to stop (130 if none did).
    public static var exitStatus: Int32 { exitStatus(after: signal ?? SIGINT) }
}
