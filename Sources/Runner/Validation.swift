import GuestMemory
import LockDesigns
import Platform

extension RunConfiguration {
    /// A validation run's senders and vCPUs (the `validate` command's
    /// defaults).
    public static let validationSenders = 2
    public static let validationVCPUs = 2

    /// A bounded validation ("torture") run, as in ck and liburcu: two
    /// senders racing on the same 192 ports (a fifth of them masked), two
    /// vCPUs running the guest handler, and a host that invalidates and
    /// migrates the shared_info page back to back. At most `seconds`, at
    /// most 200k sends per sender. After the final drain and unmask, every
    /// safe design must show lost == 0.
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
        c.sendLimitPerSender = 200_000
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
            + "inactive=\(t.inactive) handled=\(handled) duplicates=\(ledger.duplicates) stranded=\(stranded) "
            + "migrations=\(migrations) stale_bits=\(staleBits)"
            + (c.scenario == .relocate ? " strategy=\(c.relocation) relocations=\(relocations) vanished_selector_bits=\(vanishedSelectorBits)" : "")
            + scenarioSummary
            + " lost=\(lost)"
    }
}
