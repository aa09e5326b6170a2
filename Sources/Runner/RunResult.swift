import Delivery

/// What one run measured.
public struct RunResult: Sendable {
    public var configuration: RunConfiguration
    /// Counters of the measured window (senders, plus timer events the vCPUs
    /// delivered on their behalf).
    public var measured = DeliveryCounters()
    /// Counters of the whole run (warm-up included): what the ledger uses.
    public var total = DeliveryCounters()
    /// Sends per sender in the measured window.
    public var perSenderSends: [Int] = []
    public var measuredSeconds = 0.0
    /// Events the guest handled over the whole run (final drain included).
    public var handled = 0
    public var spuriousUpcalls = 0
    public var shadowMerges = 0
    /// Pending bits left after the final drain and unmask (a superset of
    /// the unsignalled events no later event rescued).
    public var stranded = 0
    /// Events pending and unmasked but not signalled when the threads
    /// stopped (no selector bit, or no upcall): lost, counted before the
    /// final drain and unmask could hide them.
    public var unsignalled = 0
    public var migrations = 0
    public var deferredMigrations = 0
    public var hostRounds = 0
    public var staleBits = 0
    public var ledger = EventLedger(newlySet: 0, handled: 0, stalePendingBits: 0, replays: 0, designReplays: false)
    /// Cost of one send (sampled; open loop: from the scheduled time).
    public var sendLatency = LatencyHistogram()
    /// From the send (or scheduled time) to the guest handler seeing the port.
    public var endToEndLatency = LatencyHistogram()
    public var timerOverheadNanoseconds = 0
    /// CPUs the threads were on at the end of the run (nil: unknown).
    public var senderCPUsSeen: [Int?] = []
    public var vcpuCPUsSeen: [Int?] = []
    public var hostCPUSeen: Int?
    /// NUMA node of the shared_info page (nil: unknown or no libnuma).
    public var pageNode: Int?
    /// Relocate scenario: moves done, their durations, how long senders
    /// were held up by them, and selector bits the copies overwrote.
    public var relocations = 0
    public var relocationLatency = LatencyHistogram()
    public var senderStall = LatencyHistogram()
    public var vanishedSelectorBits = 0
    public var vanishedUpcalls = 0
    /// Poll scenario: polls ended by a masked send (measured window).
    public var pollWakeups = 0
    /// shinfo-move scenario: the moves, what they carried and merged.
    public var sharedInfoMoves = SharedInfoMoveTally()
    /// CPU time in the measured window of each thread meant to run all of
    /// it (closed-loop senders of non-timer events, poll-mode vCPUs).
    public var windowCPUNanoseconds: [UInt64] = []
    /// One-way cache-line hand-off of each probed sender-vCPU pair, before
    /// the warm-up and after the window (`CacheLineProbe`); nil where the
    /// probe was abandoned.
    public var handOffBefore: [UInt64?] = []
    public var handOffAfter: [UInt64?] = []
    /// Ctrl-C (or the caller's stop request) cut the run short.
    public var interrupted = false

    /// Events set and never handled, plus stale writes no replay covered
    /// (the ledger), plus selector bits a relocation's copy overwrote that
    /// are not already among the unsignalled ones: the guest
    /// was never told of those events, even if a later event on the same
    /// word happened to lead it to them. For a replaying design (seqlock) a
    /// vanished bit may come from a section writing through a mapping that a
    /// move had retired; its failed validation replays it through the
    /// current mapping, so, as with stale bits, only bits no vcpu_info
    /// replay covers count.
    /// Whether guest memory went where it was asked: `as-asked` (the
    /// shared_info page is on the node asked for), `failed` (it is on
    /// another: mbind refused, or the node had no free memory), `unknown`
    /// (the page's node could not be read), `interleave` or `local` (no
    /// single node was asked for).
    public var memoryPlacement: String {
        switch configuration.memory {
        case .interleave: "interleave"
        case .local: "local"
        case .node(let node): pageNode.map { $0 == node ? "as-asked" : "failed" } ?? "unknown"
        }
    }

    public var lost: Int {
        let vanished = ledger.designReplays
            ? max(0, vanishedSelectorBits - total.selectorReplays) : vanishedSelectorBits
        return ledger.lost + max(0, vanished - unsignalled)
    }

    public var sendsPerSecond: Double { measuredSeconds > 0 ? Double(measured.sends) / measuredSeconds : 0 }
    public var deliveredPerSecond: Double { measuredSeconds > 0 ? Double(measured.delivered) / measuredSeconds : 0 }
    public var fairnessMinOverMax: Double { Fairness.minOverMax(perSenderSends) }
    public var gini: Double { Fairness.gini(perSenderSends) }

    public init(configuration: RunConfiguration) { self.configuration = configuration }
}
