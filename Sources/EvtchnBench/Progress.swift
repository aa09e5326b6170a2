#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform
import SweepPlan

/// Sweep progress: on a terminal one line rewritten in place with an ETA;
/// otherwise (CI, pipes) one plain line per finished run.
struct Progress {
    let total: Int
    /// Rewrite the line in place only on a terminal that takes escape
    /// codes: not with TERM=dumb (or unset), nor with NO_COLOR set.
    let interactive = isatty(STDOUT_FILENO) != 0 && Self.terminalTakesEscapes

    static var terminalTakesEscapes: Bool {
        guard let term = getenv("TERM").map({ String(cString: $0) }), !term.isEmpty, term != "dumb" else { return false }
        // no-color.org: NO_COLOR set to anything but the empty string.
        return getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true
    }
    private let start = monotonicNanoseconds()

    init(total: Int) { self.total = total }

    func starting(_ index: Int, _ what: String) {
        guard interactive else { return }
        print("\r\u{1B}[2K[\(index + 1)/\(total)] \(what)  \(eta(done: index))", terminator: "")
        Interruption.checkOutput()
    }

    func finished(_ index: Int, _ what: String, _ outcome: String) {
        if interactive { print("\r\u{1B}[2K", terminator: "") }
        print("[\(index + 1)/\(total)] \(what): \(outcome)")
        // A progress line that cannot be written stops the sweep (141).
        Interruption.checkOutput()
    }

    /// Remaining time, extrapolated from the runs done so far.
    private func eta(done: Int) -> String {
        guard done > 0 else { return "" }
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        return "ETA " + formatDuration(elapsed / Double(done) * Double(total - done))
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
