import CEvtchnShim

/// Ctrl-C handling for long runs: the first SIGINT (or SIGTERM) only raises
/// a flag that the run loop polls, so the current configuration ends
/// cleanly and finished results stay on disk; a second one kills.
public enum Interruption {
    public static func install() throws(SystemError) {
        let rc = evtchn_install_interrupt_handler()
        guard rc == 0 else { throw SystemError("sigaction(SIGINT)", code: rc) }
    }

    public static var requested: Bool { evtchn_interrupted() != 0 }
}
