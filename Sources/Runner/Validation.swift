import GuestMemory
import LockDesigns
import Platform

extension RunConfiguration {
    /// A validation run's senders and vCPUs (the `validate` command's
    /// defaults).
    public static let validationSenders = 2
    public static let validationVCPUs = 2

    /// Seconds of a `validate` run per design. With the read-side delays
    /// the negative control (nolock) loses about a hundred events in each
    /// such run on the 2-core VM (results/validate-20x.md); without them,
    /// only a preemption that happened to fall inside a section exposed
    /// the hazard, and 0.5 s runs showed a loss in 16 of 20.
    public static let validationSeconds = 0.5

    /// A bounded validation ("torture") run, as in ck, liburcu and
    /// rcutorture: two senders racing on the same 192 ports (a fifth of
    /// them masked), two vCPUs running the guest handler and moving their
    /// vcpu_info every 200 us (deactivate, as Linux does), a host that
    /// invalidates and migrates the shared_info page back to back, and
    /// read-side delays (`TortureLock`: a thread gives up its CPU inside
    /// one read section in 2^14, right after the cache check), for
    /// `seconds` (no send limit: the whole time is spent exposing the
    /// hazard). Every safe design must show lost == 0, unsignalled events
    /// included. Every design runs with exactly these parameters.
    public static func validation(design: LockDesign, abi: GuestABI = .longMode, seconds: Double = 0.25) -> RunConfiguration {
        var c = RunConfiguration(design: design)
        c.abi = abi
        c.senders = validationSenders
        c.vcpus = validationVCPUs
        c.portsPerSender = 192
        c.sharedPorts = true
        c.maskedFraction = 0.2
        c.host = .migrate(everyMicroseconds: 0)
        c.warmupSeconds = 0
        c.durationSeconds = seconds
        c.readSectionDelays = true
        c.scenario = .relocate
        c.relocation = .deactivate
        c.relocateEveryMicroseconds = 200
        return c
    }
}

extension RunResult {
    /// One line with every parameter and counter (the ck/liburcu habit).
    public var summaryLine: String {
        let c = configuration
        let t = total
        let host: String
        switch c.host {
        case .idle: host = "idle"
        case .migrate(let every): host = "migrate/\(every)us"
        case .toggleActivation: host = "toggle"
        case .moveSharedInfo(let every): host = "move-shinfo/\(every)us"
        }
        return "design=\(c.design) scenario=\(c.scenario) abi=\(c.abi) senders=\(c.senders) vcpus=\(c.vcpus) "
            + "host=\(host) seconds=\(formatFixed(measuredSeconds, decimals: 3)) sends=\(t.sends) "
            + "delivered=\(t.delivered) coalesced=\(t.coalesced) masked=\(t.masked) would_block=\(t.wouldBlock) "
            + "retries=\(t.retries) replays=\(t.replays + t.selectorReplays) dropped=\(t.dropped) "
            + "inactive=\(t.inactive) handled=\(handled) duplicates=\(ledger.duplicates) unsignalled=\(unsignalled) "
            + "stranded=\(stranded) "
            + "migrations=\(migrations) stale_bits=\(staleBits)"
            + (c.scenario == .relocate ? " strategy=\(c.relocation) relocations=\(relocations) vanished_selector_bits=\(vanishedSelectorBits)" : "")
            + scenarioSummary
            + " lost=\(lost)"
    }
}
