import Delivery
import GuestMemory

/// Who sends what to whom.
public enum Scenario: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Every sender to every vCPU (inter-processor interrupts); each sender
    /// owns its own ports, spread over the pending words.
    case ipi
    /// A device-interrupt storm: every sender targets vCPU 0.
    case pirq
    /// Each vCPU's own timer: sender s is the timer of vCPU s mod vcpus,
    /// one port, open loop at the timer rate. Like KVM's Xen timer it uses
    /// the fast path only and, on would-block, defers the event to the vCPU
    /// thread, which delivers it through the slow path on its next entry
    /// (and counts it dropped if shared_info is inactive then).
    case timer
    /// Senders take the roles ipi, pirq, timer in turn (s mod 3).
    case mixed
    /// ipi traffic while each vCPU keeps moving its vcpu_info between the
    /// default slot in shared_info and an explicit address (registering it,
    /// then "rebooting" back to the default), with a relocation strategy.
    case relocate
    /// ipi traffic to masked ports only, each vCPU a halted poller of the
    /// ports bound to it (SCHEDOP_poll), woken by the masked sends, as
    /// Linux's paravirtual spinlocks wait for their kicker.
    case poll
    /// ipi traffic while the host keeps moving shared_info itself to
    /// another guest frame and back (vcpu_info on a page of its own).
    case shinfoMove = "shinfo-move"

    public var description: String { rawValue }

    /// The role of sender `sender` in this scenario.
    public func role(ofSender sender: Int) -> Scenario {
        switch self {
        case .mixed: [Scenario.ipi, .pirq, .timer][sender % 3]
        case .relocate, .poll, .shinfoMove: .ipi
        default: self
        }
    }
}

/// How senders pace themselves.
public enum LoadMode: Equatable, Sendable, CustomStringConvertible {
    /// As fast as possible.
    case closed
    /// Each sender at a fixed rate (sends per second). Latency is measured
    /// from the scheduled send time, so a stall shows up in every send it
    /// delays (no coordinated omission).
    case open(ratePerSender: Double)

    public var description: String {
        switch self {
        case .closed: "closed"
        case .open: "open"
        }
    }

    public var ratePerSender: Double? {
        if case .open(let rate) = self { return rate }
        return nil
    }
}

/// What the vCPU threads do when no event is pending.
public enum VCPUMode: String, CaseIterable, Sendable {
    /// A running guest that keeps checking for upcalls (spins, then yields).
    case poll
    /// A halted guest: sleeps until kicked (futex), as after HLT.
    case halt
}

/// What the host thread does.
public enum HostAction: Equatable, Sendable {
    /// Nothing.
    case idle
    /// Invalidate and migrate the shared_info page every `microseconds`
    /// (0: back to back, yielding between rounds); every 16th round also
    /// changes the memslot generation.
    case migrate(everyMicroseconds: Int)
    /// Deactivate and re-activate shared_info in a loop (the race stage of
    /// the kernel's xen_shinfo_test).
    case toggleActivation
    /// Move shared_info to the other of guest frames 0 and 2 every
    /// `microseconds` (0: back to back): the shinfo-move scenario.
    case moveSharedInfo(everyMicroseconds: Int)
}

/// The targets of each sender, derived from the scenario.
public struct SenderPlan: Sendable, Equatable {
    public var targets: [SendTarget]
    /// Sends through the fast path only and defers would-block to the vCPU.
    public var isTimer: Bool
    public var load: LoadMode
}

/// Builds the per-sender plans. Ports are spread over every pending word:
/// port number i is (i * 67) mod portCount, 67 being odd and so coprime
/// with the power-of-two port count. Normally each sender owns its ports;
/// with `sharedPorts` (validation runs) every sender uses sender 0's, so
/// senders race each other on the same bits.
///
/// Each port is bound to one vCPU (EVTCHNOP_bind_vcpu), the one it is sent
/// to; a port that several senders share goes to the vCPU its first user
/// chose, whatever the later ones' roles would pick.
public func senderPlans(scenario: Scenario, senders: Int, vcpus: Int, portsPerSender: Int,
                        abi: GuestABI, load: LoadMode, timerRate: Double, sharedPorts: Bool = false) -> [SenderPlan] {
    var next = 0
    var boundTo: [Int: Int] = [:]
    func freshPort() -> Int {
        defer { next += 1 }
        return (next * 67) % abi.portCount
    }
    func target(_ port: Int, _ vcpu: Int) -> SendTarget {
        let bound = boundTo[port, default: vcpu]
        boundTo[port] = bound
        return SendTarget(port: port, vcpu: bound)
    }
    return (0..<senders).map { sender in
        if sharedPorts { next = 0 }
        switch scenario.role(ofSender: sender) {
        case .ipi, .mixed, .relocate, .poll, .shinfoMove:
            let targets = (0..<portsPerSender).map { k in target(freshPort(), (sender + k) % vcpus) }
            return SenderPlan(targets: targets, isTimer: false, load: load)
        case .pirq:
            let targets = (0..<portsPerSender).map { _ in target(freshPort(), 0) }
            return SenderPlan(targets: targets, isTimer: false, load: load)
        case .timer:
            return SenderPlan(targets: [target(freshPort(), sender % vcpus)], isTimer: true,
                              load: .open(ratePerSender: timerRate))
        }
    }
}

/// Distinct ports in use across all plans.
func distinctPorts(_ plans: [SenderPlan]) -> Int { Set(plans.flatMap { $0.targets.map(\.port) }).count }
