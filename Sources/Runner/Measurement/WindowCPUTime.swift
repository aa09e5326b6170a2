import Platform

/// The CPU time one thread got during the measured window, from its own
/// view of the phases: read at the first look that sees `measure`, and at
/// the first that sees `stop` (or when the thread ends). A thread meant to
/// run the whole window that got much less than the window was
/// descheduled or stopped, and its row's rates describe that, not the
/// design (`SuspectReason.threadStarved`, judged in SweepPlan).
struct WindowCPUTime {
    private var start: UInt64?
    private var end: UInt64?

    /// Called at each look at the phase; costs a clock read twice per run.
    @inline(__always)
    mutating func observe(_ phase: Phase) {
        switch phase {
        case .measure where start == nil: start = threadCPUNanoseconds()
        case .stop where end == nil && start != nil: end = threadCPUNanoseconds()
        default: break
        }
    }

    /// CPU time in the window; 0 when the thread never saw the window
    /// start (it got no turn in it at all).
    func finish() -> UInt64 {
        guard let start else { return 0 }
        return (end ?? threadCPUNanoseconds()) &- start
    }
}
