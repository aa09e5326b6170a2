import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Platform
import Synchronization
import TestSupport
import Testing

/// A domain for moves: shared_info at frame 0 (frame 2 free to move to),
/// each vCPU's vcpu_info on frame 1.
func makeMoveDomain<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, abi: GuestABI = .longMode)
    throws -> EventChannelDomain<Lock> {
    let memory = try GuestMemory(guestFrames: 3, quarantineFrames: 8, writerCapacity: 8, guestCPUs: 2)
    let domain = EventChannelDomain<Lock>(memory: memory, abi: abi, vcpuCount: 2)
    domain.activateSharedInfo()
    for vcpu in 0..<2 { domain.activateVCPUInfo(vcpu: vcpu, guestFrame: 1, offset: 64 * vcpu) }
    return domain
}

/// moveSharedInfo (docs/model.md §7): KVM re-maps, the guest carries.
@Suite("Moving shared_info")
struct SharedInfoMoveTests {
    @Test("pending events and masks move with the guest's carry; new sends go to the new page",
          arguments: designABICases)
    func carried(design: LockDesign, abi: GuestABI) throws {
        struct Body: DesignTest {
            let abi: GuestABI
            func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
                let domain = try makeMoveDomain(Lock.self, abi: abi)
                var context = domain.makeContext()!
                domain.guestMask(port: 67)
                #expect(domain.deliver(port: 66, vcpu: 0, context: &context) == .delivered)
                #expect(domain.deliver(port: 67, vcpu: 0, context: &context) == .masked)
                let move = domain.moveSharedInfo(toFrame: 2)
                #expect(move.moves == 1 && move.carried == 2 && move.merged == 0 && move.lateBits == 0)
                #expect(domain.sharedInfoFrame == 2 && domain.sharedInfoMappedFrame == 2)
                #expect(domain.guestPending(port: 66) && domain.guestPending(port: 67) && domain.guestMasked(port: 67))
                #expect(domain.runUpcallHandler(vcpu: 0).handled == 1)
                domain.guestUnmask(port: 67)
                #expect(domain.runUpcallHandler(vcpu: 0).handled == 1)
                #expect(domain.deliver(port: 70, vcpu: 0, context: &context) == .delivered)
                #expect(domain.guestPending(port: 70))
                #expect(domain.moveSharedInfo(toFrame: 0).carried == 1, "and back")
                #expect(domain.runUpcallHandler(vcpu: 0).handled == 1)
                #expect(domain.finishSharedInfoMoves() == tally(moves: 2, carried: 3))
            }
        }
        try design.run(Body(abi: abi))
    }

    @Test("a send after the guest looks at the new page, before the re-map: the handler misses it, the carry re-raises it",
          arguments: LockDesign.allCases)
    func sendBeforeRemap(design: LockDesign) throws {
        struct Body: DesignTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
                let domain = try makeMoveDomain(Lock.self)
                var context = domain.makeContext()!
                let hooks = SharedInfoMoveHooks(afterGuestSwitch: {
                    #expect(domain.deliver(port: 66, vcpu: 0, context: &context) == .delivered, "into the old page")
                    let pass = domain.runUpcallHandler(vcpu: 0)
                    #expect(pass.handled == 0 && pass.spurious == 1, "the new page does not have it yet")
                })
                #expect(domain.moveSharedInfo(toFrame: 2, hooks: hooks).carried == 1)
                #expect(domain.guestUpcallPending(vcpu: 0), "re-raised by the carry")
                #expect(domain.runUpcallHandler(vcpu: 0).handled == 1)
            }
        }
        try design.run(Body())
    }

    @Test("a send to a port pending in the old page, after the re-map, before the carry: two events, one bit (merged)",
          arguments: LockDesign.allCases)
    func mergedWithNewSend(design: LockDesign) throws {
        struct Body: DesignTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
                let domain = try makeMoveDomain(Lock.self)
                var context = domain.makeContext()!
                #expect(domain.deliver(port: 66, vcpu: 0, context: &context) == .delivered)
                let hooks = SharedInfoMoveHooks(afterRemap: {
                    #expect(domain.deliver(port: 66, vcpu: 0, context: &context) == .delivered, "newly set in the new page")
                })
                let move = domain.moveSharedInfo(toFrame: 2, hooks: hooks)
                #expect(move.carried == 0 && move.merged == 1)
                // The ledger's account: newly set 2, minus 1 merged, handled 1.
                #expect(domain.runUpcallHandler(vcpu: 0).handled == 1)
            }
        }
        try design.run(Body())
    }

    @Test("a carried masked port wakes its poller, as a send would")
    func carriedMaskedPortWakesPoller() throws {
        let domain = try makeMoveDomain(QueuedRWLock<WaitingReaders>.self)
        var context = domain.makeContext()!
        var poller = domain.makeContext()!
        domain.bindPort(67, toVCPU: 1)
        domain.guestMask(port: 67)
        let outcome = domain.poll(vcpu: 1, ports: [67], context: &poller) {
            // The poller halts; a send sets the bit while nobody polls it in
            // the page it will look at: the old one, after the guest switch.
            let hooks = SharedInfoMoveHooks(afterGuestSwitch: {
                #expect(domain.deliver(port: 67, vcpu: 1, context: &context) == .masked)
            })
            #expect(domain.moveSharedInfo(toFrame: 2, hooks: hooks).carried == 1)
            return domain.isPolling(vcpu: 1)
        }
        #expect(outcome == .woken)
    }

    @Test("bits written into a former shared_info frame are late bits, counted once")
    func lateBits() throws {
        let domain = try makeMoveDomain(QueuedRWLock<WaitingReaders>.self)
        domain.moveSharedInfo(toFrame: 2)
        writeStalePending(domain, frame: 0, port: 99)
        #expect(domain.moveSharedInfo(toFrame: 0).lateBits == 1, "found when the guest prepares the frame again")
        #expect(!domain.guestPending(port: 99))
        writeStalePending(domain, frame: 2, port: 98)
        #expect(domain.finishSharedInfoMoves().lateBits == 2)
        #expect(domain.finishSharedInfoMoves().lateBits == 2, "counted once")
    }
}

/// What a sender holding a stale mapping of `frame` would write.
func writeStalePending<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, frame: Int, port: Int) {
    domain.memory.withGuestAccess { view in
        _ = GuestAtomics.testAndSetBit(view.address(ofGuestFrame: frame) + domain.layout.pendingOffset, port)
    }
}

func tally(moves: Int, carried: Int = 0, merged: Int = 0, lateBits: Int = 0) -> SharedInfoMoveTally {
    var t = SharedInfoMoveTally()
    (t.moves, t.carried, t.merged, t.lateBits) = (moves, carried, merged, lateBits)
    return t
}

extension InterleavingTests {
    /// A sender stopped inside its shared_info section, through the old
    /// mapping, while the guest moves shared_info. A design whose write
    /// side waits for it (every safe one but seqlock) lets it finish into
    /// the old page before the re-map, and the carry takes the bit; seqlock
    /// lets the move finish, then the sender writes the old page (a late
    /// bit), fails its re-check and replays into the new one; nolock writes
    /// the old page after the carry, and the event is lost, a late bit.
    /// Nested in the serialized interleaving suite: it shares its
    /// `sectionProbe` seam with the other interleaving tests.
    @Suite("Moving shared_info under a sender")
    struct SharedInfoMoveInterleavingTests {
        @Test("the old mapping's grace period: carried, replayed, or lost (nolock)", .timeLimit(.minutes(1)),
              arguments: LockDesign.allCases)
        func senderInsideSection(design: LockDesign) throws {
            struct Body: DesignTest {
                func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
                    defer { sectionProbe = nil }
                    let domain = try makeMoveDomain(InterleavedLock<Lock>.self)
                    let stage = Atomic<Int>(0)  // 1: sender inside its shared_info section; 2: let it go
                    var sections = 0
                    sectionProbe = {
                        sections += 1
                        guard sections == 1 else { return }
                        stage.store(1, ordering: .releasing)
                        while stage.load(ordering: .acquiring) < 2 { yieldThread() }
                    }
                    let replays = Atomic<Int>(0)
                    let sender = HostThreadBox {
                        var context = domain.makeContext()!
                        #expect(domain.deliver(port: 66, vcpu: 0, context: &context) == .delivered)
                        replays.store(context.replays, ordering: .releasing)
                    }
                    while stage.load(ordering: .acquiring) < 1 { yieldThread() }
                    let switched = Flag()
                    let mover = HostThreadBox {
                        domain.moveSharedInfo(toFrame: 2, hooks: SharedInfoMoveHooks(afterGuestSwitch: { switched.set() }))
                    }
                    #expect(waitUntil { switched.isSet })
                    // Whose turn: a re-map that cannot wait for the sender
                    // finishes first; otherwise the sender must.
                    let remapWaits = design != .seqlock && design != .nolock
                    if !remapWaits { mover.join() }
                    stage.store(2, ordering: .releasing)
                    sender.join()
                    if remapWaits { mover.join() }
                    let handled = domain.runUpcallHandler(vcpu: 0).handled
                    let tally = domain.finishSharedInfoMoves()
                    switch design {
                    case .nolock:
                        #expect(handled == 0 && tally.lateBits == 1, "lost, and seen as a late bit")
                    case .seqlock:
                        #expect(handled == 1 && tally.lateBits == 1)
                        #expect(replays.load(ordering: .acquiring) == 1, "the late bit is covered by a replay")
                    default:
                        #expect(handled == 1 && tally.carried == 1 && tally.lateBits == 0)
                    }
                }
            }
            try design.run(Body())
        }
    }
}
