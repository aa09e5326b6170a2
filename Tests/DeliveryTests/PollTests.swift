import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Platform
import TestSupport
import Testing

/// SCHEDOP_poll and kvm_xen_check_poller (docs/model.md §6). The
/// single-thread tests act from inside the poll: its `stop` closure runs on
/// the polling thread once the poll state is published and nothing polled
/// is pending, right before the vCPU would sleep, so a send made there is a
/// send to a halted poller, with no second thread.
@Suite("SCHEDOP_poll")
struct PollTests {
    @Test("a masked send to the polled port wakes exactly the polling vCPU and clears its poll_mask bit",
          arguments: designABICases)
    func maskedSendWakesPoller(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                var sender = domain.makeContext()!
                domain.bindPort(66, toVCPU: 1)
                domain.guestMask(port: 66)
                var calls = 0
                let outcome = domain.poll(vcpu: 1, ports: [66], context: &context) {
                    calls += 1
                    guard calls == 1 else { return true }
                    #expect(domain.isPolling(vcpu: 1) && domain.pollEvtchn(vcpu: 1) == 66)
                    let kicks = (domain.kickCount(vcpu: 0), domain.kickCount(vcpu: 1))
                    #expect(domain.deliver(port: 66, vcpu: 1, context: &sender) == .masked)
                    #expect(!domain.isPolling(vcpu: 1), "the sender cleared the poll_mask bit")
                    #expect(domain.kickCount(vcpu: 1) == kicks.1 + 1 && domain.kickCount(vcpu: 0) == kicks.0)
                    #expect(domain.guestSelector(vcpu: 1) == 0 && !domain.guestUpcallPending(vcpu: 1),
                            "a masked send raises no upcall")
                    return false
                }
                #expect(outcome == .woken)
                #expect(calls == 1, "woken before stop was asked again")
                #expect(!domain.isPolling(vcpu: 1) && domain.pollEvtchn(vcpu: 1) == 0)
                #expect(domain.guestPending(port: 66))
            }
        }
        try design.run(Body(), abi: abi)
    }

    @Test("a masked send to another port, or to the polled port of another vCPU, does not wake",
          arguments: designABICases)
    func otherPortDoesNotWake(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                var sender = domain.makeContext()!
                for port in [66, 67, 68] { domain.guestMask(port: port) }
                domain.bindPort(66, toVCPU: 1)
                domain.bindPort(67, toVCPU: 1)
                let outcome = domain.poll(vcpu: 1, ports: [66], context: &context) {
                    let kicks = domain.kickCount(vcpu: 1)
                    #expect(domain.deliver(port: 67, vcpu: 1, context: &sender) == .masked)
                    #expect(domain.deliver(port: 68, vcpu: 0, context: &sender) == .masked)
                    #expect(domain.isPolling(vcpu: 1) && domain.kickCount(vcpu: 1) == kicks)
                    return true
                }
                #expect(outcome == .stopped)
                #expect(!domain.isPolling(vcpu: 1))
            }
        }
        try design.run(Body(), abi: abi)
    }

    @Test("several ports: poll_evtchn is -1 and a masked send to any port of the vCPU wakes it",
          arguments: designABICases)
    func severalPortsWakeOnAny(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                var sender = domain.makeContext()!
                domain.bindPort(200, toVCPU: 1)
                domain.guestMask(port: 200)
                let outcome = domain.poll(vcpu: 1, ports: [66, 67], context: &context) {
                    #expect(domain.pollEvtchn(vcpu: 1) == -1)
                    #expect(domain.deliver(port: 200, vcpu: 1, context: &sender) == .masked)
                    return domain.isPolling(vcpu: 1)
                }
                #expect(outcome == .woken, "KVM's -1 matches every port sent to the vCPU")
            }
        }
        try design.run(Body(), abi: abi)
    }

    @Test("an unmasked send does not go through the poller: the upcall ends the halt instead",
          arguments: designABICases)
    func unmaskedSendInterrupts(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                var sender = domain.makeContext()!
                domain.bindPort(66, toVCPU: 1)
                var calls = 0
                let outcome = domain.poll(vcpu: 1, ports: [66], context: &context) {
                    calls += 1
                    guard calls == 1 else { return true }
                    #expect(domain.deliver(port: 66, vcpu: 1, context: &sender) == .delivered)
                    #expect(domain.isPolling(vcpu: 1), "the poll_mask bit is untouched")
                    return false
                }
                #expect(outcome == .interrupted)
                #expect(domain.runUpcallHandler(vcpu: 1).handled == 1)
            }
        }
        try design.run(Body(), abi: abi)
    }

    @Test("a polled port already pending: no halt; the guest's clear counts it once", arguments: designABICases)
    func pendingPortDoesNotHalt(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                domain.bindPort(66, toVCPU: 1)
                domain.guestMask(port: 66)
                #expect(domain.deliver(port: 66, vcpu: 1, context: &context) == .masked)
                let outcome = domain.poll(vcpu: 1, ports: [66], context: &context) {
                    Issue.record("the poller halted with its port pending")
                    return true
                }
                #expect(outcome == .pending)
                #expect(!domain.isPolling(vcpu: 1))
                var guest = domain.guestVCPU(1)
                let cleared = (guest.clearPending(port: 66), guest.clearPending(port: 66))
                #expect(cleared == (true, false))
            }
        }
        try design.run(Body(), abi: abi)
    }
}

/// A poller on its own thread, halted in the futex, woken by a masked send
/// from this one; and the store-load pair under a race.
@Suite("SCHEDOP_poll across threads", .serialized)
struct PollThreadTests {
    @Test("a halted poller is woken by a masked send", .timeLimit(.minutes(1)), arguments: LockDesign.allCases)
    func haltedPollerIsWoken(design: LockDesign) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                domain.bindPort(66, toVCPU: 1)
                domain.guestMask(port: 66)
                let aboutToSleep = Flag()
                let release = Flag()
                let finished = Flag()
                let woken = Flag()
                let poller = HostThreadBox {
                    var context = domain.makeContext()!
                    // Handshake: the stop closure runs right before the
                    // futex wait.
                    let outcome = domain.poll(vcpu: 1, ports: [66], context: &context) {
                        aboutToSleep.set()
                        return release.isSet
                    }
                    woken.set(outcome == .woken)
                    finished.set()
                }
                #expect(waitUntil { aboutToSleep.isSet })
                #expect(domain.deliver(port: 66, vcpu: 1, context: &context) == .masked)
                // A poller the send did not wake is released (and fails the
                // test) rather than left asleep.
                if !waitUntil({ finished.isSet }) {
                    release.set()
                    domain.kick(vcpu: 1)
                }
                poller.join()
                #expect(woken.isSet)
                #expect(!domain.isPolling(vcpu: 1))
            }
        }
        try design.run(Body(), abi: .longMode)
    }

    /// The poller clears its port and polls, again and again, while a
    /// sender keeps sending to it. Once the port is pending every further
    /// send coalesces and wakes nobody, so a poll that missed the send
    /// that set it would sleep to the guard: the lost wake-up.
    @Test("no lost wake-up: every poll ends while a sender keeps sending", .timeLimit(.minutes(1)),
          arguments: [LockDesign.rwlock, .seqlock, .rcu, .percpu])
    func noLostWakeUp(design: LockDesign) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                domain.bindPort(66, toVCPU: 1)
                domain.guestMask(port: 66)
                let done = Flag()
                let stuck = Flag()
                // Past it, a poller that slept through its wake-up is
                // kicked out of its sleep and fails the test.
                let deadline = Deadline(seconds: 20)
                let poller = HostThreadBox {
                    var context = domain.makeContext()!
                    var guest = domain.guestVCPU(1)
                    for _ in 0..<2_000 {
                        _ = guest.clearPending(port: 66)
                        if domain.poll(vcpu: 1, ports: [66], context: &context, unless: { deadline.passed }) == .stopped {
                            stuck.set()
                            break
                        }
                    }
                    done.set()
                }
                while !done.isSet {
                    if deadline.passed { domain.kick(vcpu: 1) } else { _ = domain.deliver(port: 66, vcpu: 1, context: &context) }
                }
                poller.join()
                #expect(!stuck.isSet, "a poll slept through the send that set its port")
            }
        }
        try design.run(Body(), abi: .longMode)
    }
}
