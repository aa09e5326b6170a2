import Platform
import Synchronization

/// Phases of a run, as the coordinating thread announces them.
enum Phase: Int {
    case warmup = 0, measure = 1, stop = 2
}

/// State shared by a run's threads: the start barrier, the phase, the stop
/// of the vCPUs, and what each thread hands back. The coordinating thread
/// is `EventDeliveryRun.run`; the others are `SenderWork`, `VCPUWork` and
/// the host thread (`spawnHost`).
final class RunControl: Sendable {
    /// Release-stored by the coordinator (`EventDeliveryRun.measure`, and
    /// `spawn` when a thread failed to start); pairs with the acquire in
    /// `currentPhase`.
    let phase = Atomic<Int>(Phase.warmup.rawValue)
    /// Release-stored once by the coordinator when every thread has checked
    /// in (`EventDeliveryRun.measure`); pairs with the acquire in `checkIn`.
    let go = Atomic<Bool>(false)
    /// Threads checked in: release-incremented in `checkIn`; pairs with the
    /// coordinator's acquire loads in `EventDeliveryRun.measure`.
    let ready = Atomic<Int>(0)
    /// Release-stored by the coordinator once the senders are joined
    /// (`EventDeliveryRun.stopVCPUs`); pairs with the acquire loads in
    /// `VCPUWork.run` and its halt's wait, so that a vCPU stops only after
    /// every send.
    let vcpusStop = Atomic<Bool>(false)
    /// Senders that have left their loop. Relaxed on both sides (the
    /// increment at the end of `SenderWork.run`, the loads in
    /// `EventDeliveryRun.wait` and a relocation's `stopSenders`): it only
    /// ends waits early; what a sender hands back goes through `senders`,
    /// and the coordinator reads it after joining the thread.
    let finishedSenders = Atomic<Int>(0)
    let failures = Mutex<[String]>([])
    let gate = SenderGate()
    let senders = Mutex<[SenderOutcome]>([])
    let vcpus = Mutex<[VCPUOutcome]>([])
    /// Relaxed: stored by the host thread before it ends, read after it is
    /// joined (the join orders the two).
    let hostRounds = Atomic<Int>(0)
    /// The CPU the host thread was on when it stopped (nil: unknown).
    let hostCPU = Mutex<Int?>(nil)
    /// The cache-line hand-off between senders and vCPUs, probed before the
    /// warm-up and after the window (`CacheLineProbe`).
    let probeBefore: CacheLineProbe
    let probeAfter: CacheLineProbe

    init(senders: Int, vcpus: Int) {
        probeBefore = CacheLineProbe(senders: senders, vcpus: vcpus)
        probeAfter = CacheLineProbe(senders: senders, vcpus: vcpus)
    }

    var currentPhase: Phase {
        // Acquire: pairs with the coordinator's release stores of `phase`.
        Phase(rawValue: phase.load(ordering: .acquiring))!
    }

    /// Start barrier: each thread checks in, then waits for `go`.
    func checkIn() {
        // Release: this thread's set-up (pinning, its context) happens
        // before the coordinator's acquire of `ready` in
        // `EventDeliveryRun.measure`.
        ready.wrappingAdd(1, ordering: .releasing)
        // Acquire: pairs with the release store of `go` in
        // `EventDeliveryRun.measure` (or in `spawn`, when a thread failed to
        // start); the domain and everything set up before it are visible.
        while !go.load(ordering: .acquiring) { yieldThread() }
    }

    func fail(_ why: String) { failures.withLock { $0.append(why) } }

    /// Pins the calling thread if asked; a failure ends the run with its reason.
    func pin(_ cpu: Int?, role: String) {
        guard let cpu else { return }
        do { try Affinity.pinSelf(to: cpu) } catch { fail("\(role): \(error)") }
    }

    func record(sender: SenderOutcome) { senders.withLock { $0.append(sender) } }
    func record(vcpu: VCPUOutcome) { vcpus.withLock { $0.append(vcpu) } }
}
