#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CEvtchnShim

/// Ctrl-C handling for long runs: the first SIGINT (or SIGTERM) only raises
/// a flag that the run loop polls, so the current configuration ends
/// cleanly and finished results stay on disk; a second one kills.
public enum Interruption {
    public static func install() throws(SystemError) {
        let rc = evtchn_install_interrupt_handler()
        guard rc == 0 else { throw SystemError("sigaction(SIGINT, SIGTERM)", code: rc) }
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
