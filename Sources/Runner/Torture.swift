import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Platform
import Synchronization

/// A bounded validation run ("torture", as in ck and liburcu): sender
/// threads deliver events while vCPU threads run the guest handler and a
/// host thread keeps invalidating and migrating the shared_info page (or
/// toggling its activation, the race stage of the kernel's
/// xen_shinfo_test). After a final drain and unmask it settles the ledger:
/// for every safe design, lost must be 0.
public struct TortureConfiguration: Sendable {
    /// What the host thread does in a loop.
    public enum HostAction: String, Sendable, CaseIterable {
        /// Invalidate and migrate the shared_info page; every 16th round
        /// also change the memslot generation.
        case migrate
        /// Deactivate and re-activate shared_info (selftest race stage).
        case toggleActivation = "toggle"
        /// Nothing: senders and guest only.
        case none
    }

    public var design: LockDesign
    public var abi: GuestABI = .longMode
    public var senders = 2
    public var vcpus = 2
    /// Distinct ports in use, spread over the pending words.
    public var ports = 192
    /// Every n-th port in use is masked by the guest (0: none).
    public var maskEvery = 5
    /// Upper bound on the run's length, in seconds.
    public var maxSeconds = 0.5
    /// Upper bound on each sender's sends.
    public var sendsPerSender = 200_000
    public var hostAction: HostAction = .migrate
    /// vcpu_info in the default slot (inside shared_info) or on a page of
    /// its own (so migrating shared_info does not touch it).
    public var vcpuInfoInSharedInfo = true

    public init(design: LockDesign) { self.design = design }
}

/// What a torture run saw.
public struct TortureReport: Sendable, CustomStringConvertible {
    public var configuration: TortureConfiguration
    public var counters = DeliveryCounters()
    public var handled = 0
    public var spuriousUpcalls = 0
    public var shadowMerges = 0
    /// Pending bits still set after the final drain and unmask.
    public var stranded = 0
    public var migrations = 0
    public var deferredMigrations = 0
    public var hostRounds = 0
    /// Bits written through stale mappings (anywhere in retired frames).
    public var staleBits = 0
    public var ledger = EventLedger(newlySet: 0, handled: 0, stalePendingBits: 0, replays: 0, designReplays: false)
    public var seconds = 0.0

    public var lost: Int { ledger.lost }

    public var description: String {
        let c = counters
        return "design=\(configuration.design) abi=\(configuration.abi) senders=\(configuration.senders) "
            + "vcpus=\(configuration.vcpus) host=\(configuration.hostAction.rawValue) seconds=\(String(format3(seconds))) "
            + "sends=\(c.sends) delivered=\(c.delivered) coalesced=\(c.coalesced) masked=\(c.masked) "
            + "would_block=\(c.wouldBlock) retries=\(c.retries) replays=\(c.replays + c.selectorReplays) "
            + "dropped=\(c.dropped) inactive=\(c.inactive) handled=\(handled) duplicates=\(ledger.duplicates) "
            + "stranded=\(stranded) migrations=\(migrations) stale_bits=\(staleBits) lost=\(lost)"
    }
}

func format3(_ value: Double) -> String {
    let scaled = (value * 1000).rounded()
    return "\(Int(scaled) / 1000).\(String(Int(scaled) % 1000).leftPadded(to: 3, with: "0"))"
}

extension String {
    func leftPadded(to width: Int, with pad: Character) -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

public enum TortureError: Error, CustomStringConvertible {
    case invalidConfiguration(String)
    case system(SystemError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): "invalid torture configuration: \(why)"
        case .system(let error): error.description
        }
    }
}

/// Runs one torture configuration.
public func runTorture(_ configuration: TortureConfiguration) throws(TortureError) -> TortureReport {
    try validate(configuration)
    let result = configuration.design.visit(TortureVisitor(configuration: configuration))
    switch result {
    case .success(let report): return report
    case .failure(let error): throw .system(error)
    }
}

private func validate(_ c: TortureConfiguration) throws(TortureError) {
    guard c.senders >= 1 else { throw .invalidConfiguration("senders must be at least 1") }
    guard c.vcpus >= 1 else { throw .invalidConfiguration("vcpus must be at least 1") }
    guard !c.vcpuInfoInSharedInfo || c.vcpus <= 32 else {
        throw .invalidConfiguration("at most 32 vCPUs have a default vcpu_info slot")
    }
    guard c.ports >= 1, c.ports <= c.abi.portCount else {
        throw .invalidConfiguration("ports must be in 1...\(c.abi.portCount) for a \(c.abi)-bit guest")
    }
    guard c.maskEvery >= 0 else { throw .invalidConfiguration("maskEvery must not be negative") }
    guard c.maxSeconds > 0, c.sendsPerSender >= 1 else { throw .invalidConfiguration("the run needs a positive bound") }
}

private struct TortureVisitor: LockDesignVisitor {
    let configuration: TortureConfiguration

    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) -> Result<TortureReport, SystemError> {
        Result { () throws(SystemError) -> TortureReport in
            try TortureRun<Lock>(configuration: configuration).run()
        }
    }
}

/// Shared between the run's threads.
private final class TortureControl: Sendable {
    let stop = Atomic<Bool>(false)
    let sendersDone = Atomic<Bool>(false)
    let finishedSenders = Atomic<Int>(0)
    let results = Mutex<(counters: DeliveryCounters, outcome: UpcallOutcome, merges: Int, hostRounds: Int)>(
        (DeliveryCounters(), UpcallOutcome(), 0, 0))
}

private struct TortureRun<Lock: ReadMostlyLock & ~Copyable> {
    let configuration: TortureConfiguration
    /// The ports in use: k * 67 mod portCount (67 is odd, so they are
    /// distinct and spread over every pending word), port k bound to vCPU
    /// k mod vcpus.
    let targets: [SendTarget]

    init(configuration: TortureConfiguration) {
        self.configuration = configuration
        let count = configuration.abi.portCount
        targets = (0..<configuration.ports).map { SendTarget(port: ($0 * 67) % count, vcpu: $0 % configuration.vcpus) }
    }

    func run() throws(SystemError) -> TortureReport {
        let c = configuration
        // Frames: shared_info, plus one page for explicit vcpu_info.
        let memory = try GuestMemory(guestFrames: 2, writerCapacity: c.senders + c.vcpus + 1)
        let domain = EventChannelDomain<Lock>(memory: memory, abi: c.abi, vcpuCount: c.vcpus)
        domain.activateSharedInfo()
        for vcpu in 0..<c.vcpus {
            if c.vcpuInfoInSharedInfo {
                domain.activateDefaultVCPUInfo(vcpu: vcpu)
            } else {
                domain.activateVCPUInfo(vcpu: vcpu, guestFrame: 1, offset: 64 * vcpu)
            }
        }
        let masked = c.maskEvery == 0 ? [] : stride(from: 0, to: targets.count, by: c.maskEvery).map { targets[$0] }
        for target in masked { domain.guestMask(port: Int(target.port)) }

        let control = TortureControl()
        let start = monotonicNanoseconds()
        var threads: [HostThread] = []
        for sender in 0..<c.senders {
            threads.append(try spawnSender(sender, domain: domain, control: control))
        }
        let vcpuThreads = try (0..<c.vcpus).map { (vcpu) throws(SystemError) in
            try spawnVCPU(vcpu, domain: domain, control: control)
        }
        let host = try spawnHost(domain: domain, control: control)

        let deadline = start + UInt64(c.maxSeconds * 1e9)
        while monotonicNanoseconds() < deadline, control.finishedSenders.load(ordering: .relaxed) < c.senders {
            sleepMicroseconds(500)
        }
        control.stop.store(true, ordering: .relaxed)
        threads.forEach { $0.join() }
        host.join()
        control.sendersDone.store(true, ordering: .relaxed)
        vcpuThreads.forEach { $0.join() }
        let seconds = Double(monotonicNanoseconds() - start) / 1e9

        // Final drain, unmask, drain again, as the guest would.
        if domain.sharedInfoIsValid == false { domain.activateSharedInfo() }
        var context = domain.makeContext()!
        var outcome = drain(domain, context: &context)
        for target in masked {
            domain.guestUnmask(port: Int(target.port), vcpu: Int(target.vcpu))
        }
        let after = drain(domain, context: &context)
        memory.auditQuarantine()

        let shared = control.results.withLock { $0 }
        var report = TortureReport(configuration: c)
        report.counters = shared.counters
        outcome.handled += after.handled + shared.outcome.handled
        outcome.spurious += after.spurious + shared.outcome.spurious
        report.handled = outcome.handled
        report.spuriousUpcalls = outcome.spurious
        report.shadowMerges = shared.merges
        report.hostRounds = shared.hostRounds
        report.stranded = domain.guestPendingCount()
        report.migrations = memory.migrations
        report.deferredMigrations = memory.deferredMigrations
        report.staleBits = memory.staleBits
        let pendingBytes = c.abi.sharedInfo.pendingOffset..<(c.abi.sharedInfo.pendingOffset + c.abi.portCount / 8)
        report.ledger = EventLedger(
            newlySet: shared.counters.newlySet, handled: outcome.handled,
            stalePendingBits: memory.staleBits(guestFrame: domain.sharedInfoFrame, bytes: pendingBytes),
            replays: shared.counters.replays, carriedSends: shared.counters.carriedSends,
            designReplays: Lock.replaysStaleWrites)
        report.seconds = seconds
        return report
    }

    /// Shadow merge and handler on every vCPU until nothing is left.
    private func drain(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) -> UpcallOutcome {
        var total = UpcallOutcome()
        var progress = true
        while progress {
            progress = false
            for vcpu in 0..<configuration.vcpus {
                if domain.injectPendingEvents(vcpu: vcpu, context: &context) { progress = true }
                let outcome = domain.runUpcallHandler(vcpu: vcpu)
                total.handled += outcome.handled
                total.spurious += outcome.spurious
                if outcome.passes > 0 { progress = true }
            }
        }
        return total
    }

    private func spawnSender(_ sender: Int, domain: EventChannelDomain<Lock>, control: TortureControl) throws(SystemError) -> HostThread {
        let limit = configuration.sendsPerSender
        let targets = self.targets
        return try HostThread.spawn {
            var context = domain.makeContext()!
            var counters = DeliveryCounters()
            var random = XorShift(seed: UInt64(sender) &+ 1)
            targets.withUnsafeBufferPointer { targets in
                while counters.sends < limit, !control.stop.load(ordering: .relaxed) {
                    sendBurst(domain: domain, targets: targets, count: min(256, limit - counters.sends),
                              random: &random, context: &context, counters: &counters)
                }
            }
            domain.memory.quiescence.goOffline(context.slot)
            counters.absorb(context)
            control.results.withLock { $0.counters = $0.counters + counters }
            control.finishedSenders.wrappingAdd(1, ordering: .relaxed)
        }
    }

    private func spawnVCPU(_ vcpu: Int, domain: EventChannelDomain<Lock>, control: TortureControl) throws(SystemError) -> HostThread {
        try HostThread.spawn {
            var context = domain.makeContext()!
            var outcome = UpcallOutcome()
            var merges = 0
            while !control.sendersDone.load(ordering: .relaxed) {
                if domain.injectPendingEvents(vcpu: vcpu, context: &context) { merges += 1 }
                let pass = domain.runUpcallHandler(vcpu: vcpu)
                outcome.handled += pass.handled
                outcome.spurious += pass.spurious
                if pass.passes == 0 { yieldThread() }
            }
            domain.memory.quiescence.goOffline(context.slot)
            control.results.withLock {
                $0.outcome.handled += outcome.handled
                $0.outcome.spurious += outcome.spurious
                $0.merges += merges
            }
        }
    }

    private func spawnHost(domain: EventChannelDomain<Lock>, control: TortureControl) throws(SystemError) -> HostThread {
        let action = configuration.hostAction
        return try HostThread.spawn {
            var rounds = 0
            while !control.stop.load(ordering: .relaxed), action != .none {
                rounds += 1
                switch action {
                case .migrate:
                    if rounds % 16 == 0 { domain.memory.bumpMemslotGeneration() }
                    domain.memory.migrate(guestFrame: domain.sharedInfoFrame)
                case .toggleActivation:
                    domain.deactivateSharedInfo()
                    yieldThread()
                    domain.activateSharedInfo()
                case .none:
                    break
                }
                yieldThread()
            }
            control.results.withLock { $0.hostRounds = rounds }
        }
    }
}
