import Reports
import Runner

/// Why a row's numbers may describe the machine rather than the design.
/// Judged here, where the run's result meets its plan (whether its busy
/// threads share a CPU) and the report layer's rule for two modes of the
/// cache-line hand-off (`HandOffModes`), once per run (`SweepLoop`).
/// A row with any reason is written like every other (nothing measured is
/// thrown away) but says so in its `suspect` column, and the summary,
/// `compare` and the paired ratios leave it out of their medians.
public enum SuspectReason: String, Sendable, CaseIterable {
    /// The measured window lasted more than `RunResult.stretchLimit` times
    /// what was asked: the process was stopped or starved (SIGSTOP, a
    /// suspended VM, a swapped-out page), and the rates divide by time in
    /// which nothing could run.
    case windowStretched = "window-stretched"
    /// A thread meant to run the whole window (a closed-loop sender, a
    /// poll-mode vCPU) got less than `RunResult.starvedFraction` of it in
    /// CPU time, though no two busy threads were placed on one CPU: another
    /// process or the hypervisor took its CPU.
    case threadStarved = "thread-starved"
    /// Closed-loop senders to unmasked ports delivered nothing: the
    /// window held no work at all.
    case nothingDelivered = "nothing-delivered"
    /// The cache-line hand-off between senders and vCPUs changed between
    /// the probe before the window and the one after it by
    /// `HandOffModes.changeFactor` or more (the factor that also keeps such
    /// rows from pairing): the machine moved between modes (the hypervisor
    /// moved the VM's vCPUs) during the run.
    case c2cChanged = "c2c-changed"
}

extension RunResult {
    /// A window this many times longer than asked is stretched.
    public static let stretchLimit = 1.25
    /// A busy thread with less CPU time than this fraction of the window
    /// was starved.
    public static let starvedFraction = 0.5
    /// The median, over the probed pairs, of the one-way hand-off before
    /// the warm-up (`c2c_ns`) and after the window (`c2c_after_ns`), and
    /// the largest before (`c2c_max_ns`); nil where no pair has a figure.
    public var handOffMedian: Double? { Statistics.median(handOffBefore.compactMap { $0.map(Double.init) }) }
    public var handOffAfterMedian: Double? { Statistics.median(handOffAfter.compactMap { $0.map(Double.init) }) }
    public var handOffMax: UInt64? { handOffBefore.compactMap { $0 }.max() }

    /// The least CPU time a thread meant to run the whole window got in
    /// it, in seconds; nil when no thread of the run is meant to.
    public var leastWindowCPUSeconds: Double? { windowCPUNanoseconds.min().map { Double($0) / 1e9 } }

    /// The reasons to doubt this run's numbers, in `SuspectReason` order.
    /// An oversubscribed run (busy threads placed on one CPU) is expected
    /// to starve its threads and says so in its own column; it is not
    /// judged again by CPU time, nor by its hand-off, which there times
    /// the scheduler's switches between two threads of one CPU.
    public func suspectReasons(oversubscribed: Bool) -> [SuspectReason] {
        let c = configuration
        var reasons: [SuspectReason] = []
        if measuredSeconds > Self.stretchLimit * c.durationSeconds { reasons.append(.windowStretched) }
        if !oversubscribed, let least = leastWindowCPUSeconds, least < Self.starvedFraction * measuredSeconds {
            reasons.append(.threadStarved)
        }
        let closedSenders = c.plans.contains { $0.load == .closed && !$0.isTimer }
        if closedSenders, c.maskedFractionInEffect < 1, measured.delivered == 0 { reasons.append(.nothingDelivered) }
        if !oversubscribed, HandOffModes.apart(handOffMedian, handOffAfterMedian) { reasons.append(.c2cChanged) }
        return reasons
    }
}
