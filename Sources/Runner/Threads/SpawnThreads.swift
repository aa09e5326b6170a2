import Delivery
import GuestMemory
import PageCache
import Platform

/// Starting a run's threads; the host thread's loop is small enough to
/// live here.
extension EventDeliveryRun where Lock: ~Copyable {
    func spawnSender(_ sender: Int, domain: EventChannelDomain<Lock>, control: RunControl,
                     stamps: EndToEndStamps, deferrals: TimerDeferrals) throws(SystemError) -> HostThread {
        let work = SenderWork(sender: sender, plan: plans[sender], cpu: configuration.pinning?.senders[sender],
                              limit: configuration.sendLimitPerSender ?? .max, sampleEvery: configuration.sampleEvery)
        return try HostThread.spawn { work.run(domain: domain, control: control, stamps: stamps, deferrals: deferrals) }
    }

    func spawnVCPU(_ vcpu: Int, domain: EventChannelDomain<Lock>, control: RunControl,
                   stamps: EndToEndStamps, deferrals: TimerDeferrals) throws(SystemError) -> HostThread {
        let timerPorts = plans.filter(\.isTimer).flatMap(\.targets).filter { Int($0.vcpu) == vcpu }.map { Int($0.port) }
        let relocation = configuration.scenario == .relocate
            ? VCPUWork.Relocation(strategy: configuration.relocation,
                                  periodNanoseconds: UInt64(configuration.relocateEveryMicroseconds) * 1000,
                                  senders: configuration.senders,
                                  defaultOffset: configuration.abi.sharedInfo.defaultVCPUInfoOffset(vcpu: vcpu) ?? 0)
            : nil
        let work = VCPUWork(vcpu: vcpu, cpu: configuration.pinning?.vcpus[vcpu], mode: configuration.vcpuMode,
                            timerPorts: timerPorts, relocation: relocation)
        return try HostThread.spawn { work.run(domain: domain, control: control, stamps: stamps, deferrals: deferrals) }
    }

    func spawnHost(domain: EventChannelDomain<Lock>, control: RunControl) throws(SystemError) -> HostThread {
        let action = configuration.host
        let cpu = configuration.pinning?.host.first
        return try HostThread.spawn {
            control.pin(cpu, role: "host")
            control.checkIn()
            var rounds = 0
            var next = monotonicNanoseconds()
            while control.currentPhase != .stop {
                switch action {
                case .idle:
                    sleepMicroseconds(1_000)
                    continue
                case .migrate(let every):
                    if every > 0 {
                        next &+= UInt64(every) * 1000
                        // Ends early at the run's end (the period may be long).
                        guard sleepUntil(nanoseconds: next, unless: { control.currentPhase == .stop }) else { continue }
                    } else {
                        yieldThread()
                    }
                    if rounds % 16 == 15 { domain.memory.bumpMemslotGeneration() }
                    domain.memory.migrate(guestFrame: domain.sharedInfoFrame)
                case .toggleActivation:
                    domain.deactivateSharedInfo()
                    yieldThread()
                    domain.activateSharedInfo()
                    yieldThread()
                }
                rounds += 1
            }
            // Relaxed: read after this thread is joined (RunControl.hostRounds).
            control.hostRounds.store(rounds, ordering: .relaxed)
            control.hostCPU.withLock { $0 = Affinity.currentCPU() }
        }
    }
}
