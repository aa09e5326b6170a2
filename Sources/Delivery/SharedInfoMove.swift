import GuestMemory
import PageCache
import Platform
import Synchronization

/// What moves of shared_info did (one move's, or the domain's running
/// tally).
public struct SharedInfoMoveTally: Sendable, Equatable {
    public var moves = 0
    /// Pending bits the guest carried from the old page into the new one.
    public var carried = 0
    /// Old-page bits whose port was already pending in the new page: two
    /// events, one pending bit now, as if the second send had coalesced.
    /// The lost-event ledger takes them off the newly set count.
    public var merged = 0
    /// Pending bits found in a frame that had stopped being shared_info,
    /// after its move's carry: written through a mapping the move retired.
    /// A design that does not replay has lost them (they are never
    /// handled); for one that does, each must be matched by a replay.
    public var lateBits = 0

    public init() {}

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.moves += rhs.moves
        sum.carried += rhs.carried
        sum.merged += rhs.merged
        sum.lateBits += rhs.lateBits
        return sum
    }
}

/// The domain's record of moves: the tally, and the frames that were
/// shared_info before and have not been looked at for late bits since.
struct SharedInfoMoves {
    var tally = SharedInfoMoveTally()
    var formerFrames: Set<Int> = []
}

/// Test seams of a move, at its most exposed moments.
public struct SharedInfoMoveHooks {
    /// The guest looks at the new frame; KVM still maps the old one.
    public var afterGuestSwitch: () -> Void
    /// KVM maps the new frame; the old page's bits are not carried yet.
    public var afterRemap: () -> Void

    public init(afterGuestSwitch: @escaping () -> Void = {}, afterRemap: @escaping () -> Void = {}) {
        self.afterGuestSwitch = afterGuestSwitch
        self.afterRemap = afterRemap
    }
}

extension EventChannelDomain where Lock: ~Copyable {
    /// The guest moves shared_info to guest frame `frame` while senders run
    /// (the selftest's juggler, at another frame; docs/model.md §7). KVM only re-maps: the
    /// VMM sets KVM_XEN_ATTR_TYPE_SHARED_INFO to the new frame and
    /// kvm_xen_shared_info_init activates the cache there; nothing in KVM
    /// copies the page. What the old page holds moves only if the guest
    /// copies it, so the model's guest does, in the one order that is
    /// exact:
    ///
    /// 1. it prepares the new page: pending bits zeroed (any found there are
    ///    late writes of an earlier move, counted), its masks copied;
    /// 2. it looks at the new frame from now on (switched with every guest
    ///    CPU held out of guest mode, so no handler still reads the old
    ///    page after step 3);
    /// 3. the VMM sets the attribute: under xen_lock, KVM activates the
    ///    cache at the new frame, which waits out the old mapping's grace
    ///    period; from then on no safe sender writes the old page;
    /// 4. it carries the old page's pending bits over (each taken with one
    ///    exchange per word, so each is taken once), re-raising the
    ///    selector and upcall of each unmasked port on its vCPU, as an
    ///    unmask does, and waking a poller of each masked one, as a send
    ///    does. A port already pending in the new page is `merged`.
    ///
    /// A copy before step 3 would miss events sent through the old mapping
    /// until its grace period ends; a plain copy after it would overwrite
    /// bits that senders set in the new page meanwhile. Handlers that ran
    /// between 2 and 4 saw selectors of old-page events with the bits not
    /// there yet; step 4's re-raise makes them look again.
    ///
    /// vcpu_info must be on neither frame (its default slots would have to
    /// move too). The guest changes no mask meanwhile. Returns this move's
    /// counts; the domain keeps the running tally.
    @discardableResult
    public func moveSharedInfo(toFrame frame: Int, hooks: SharedInfoMoveHooks = SharedInfoMoveHooks())
        -> SharedInfoMoveTally {
        precondition(frame >= 0 && frame < memory.guestFrameCount, "no such guest frame")
        return sharedInfoMoves.withLock { record in
            let old = sharedInfoFrame
            precondition(frame != old, "shared_info is at frame \(frame) already")
            for vcpu in 0..<vcpuCount where guestVCPUAddress(vcpu) / GuestMemory.pageSize == old
                || guestVCPUAddress(vcpu) / GuestMemory.pageSize == frame {
                preconditionFailure("vCPU \(vcpu)'s vcpu_info is on a frame shared_info moves from or to")
            }
            var move = SharedInfoMoveTally()
            move.moves = 1
            move.lateBits = prepareSharedInfo(frame: frame, copyingMasksFrom: old)
            record.formerFrames.remove(frame)
            // With every guest CPU out of guest mode: none still runs its
            // handler on the old page once KVM maps the new one (it would
            // take new events' selector bits and look for them there).
            memory.withGuestHeldOut {
                // Release: pairs with the acquire in GuestVCPU.translate and
                // sharedInfoFrame; the prepared page comes with the new frame.
                guestSharedInfoFrame.pointer(at: 0).pointee.store(frame, ordering: .releasing)
                memory.invalidateGuestTranslations()
            }
            hooks.afterGuestSwitch()
            slowPathLock.lock()
            sharedInfo.pointee.activate(guestFrame: frame, offset: 0)
            slowPathLock.unlock()
            hooks.afterRemap()
            carryPending(from: old, to: frame, into: &move)
            record.formerFrames.insert(old)
            record.tally = record.tally + move
            return move
        }
    }

    /// The moves' running tally, after looking at every former
    /// shared_info frame for late bits (counted once, then cleared). Call
    /// when no sender runs any more (the end of a run).
    public func finishSharedInfoMoves() -> SharedInfoMoveTally {
        sharedInfoMoves.withLock { record in
            for frame in record.formerFrames {
                record.tally.lateBits += memory.withGuestAccess { view in
                    takePendingBits(view.address(ofGuestFrame: frame) + layout.pendingOffset)
                        .reduce(0) { $0 + $1.nonzeroBitCount }
                }
            }
            record.formerFrames.removeAll()
            return record.tally
        }
    }

    /// The guest frame the shared_info cache maps (nil: inactive).
    public var sharedInfoMappedFrame: Int? { sharedInfo.pointee.mappedGuestFrame }

    /// The guest-physical address of `vcpu`'s vcpu_info, or -1 if none.
    private func guestVCPUAddress(_ vcpu: Int) -> Int {
        // Acquire: pairs with the release in setGuestVCPUInfo.
        guestVCPUInfoAddress.pointer(at: vcpu).pointee.load(ordering: .acquiring)
    }

    /// Step 1: zero the pending bitmap of `frame` (returning how many bits
    /// were set: late writes) and copy the mask bitmap from frame `old`.
    private func prepareSharedInfo(frame: Int, copyingMasksFrom old: Int) -> Int {
        memory.withGuestAccess { view in
            let page = view.address(ofGuestFrame: frame)
            let late = takePendingBits(page + layout.pendingOffset).reduce(0) { $0 + $1.nonzeroBitCount }
            GuestAtomics.copyWords(from: view.address(ofGuestFrame: old) + layout.maskOffset, to: page + layout.maskOffset,
                                   bytes: layout.portCount / 8)
            return late
        }
    }

    /// Exchanges each 64-bit word of the pending bitmap at `pending` with
    /// zero and returns the words (bit order as in the bitmap).
    private func takePendingBits(_ pending: UnsafeMutableRawPointer) -> [UInt64] {
        (0..<(layout.portCount / 64)).map { GuestAtomics.takeBits(pending + $0 * 8, first: 0, count: 64) }
    }

    /// Step 4: every pending bit of frame `old` set in frame `new`;
    /// unmasked ones re-raised on their vCPU, masked ones checked for a
    /// poller; the vCPUs raised are kicked at the end.
    private func carryPending(from old: Int, to new: Int, into move: inout SharedInfoMoveTally) {
        var raised = Set<Int>()
        var masked: [Int] = []
        memory.withGuestAccess { view in
            let target = view.address(ofGuestFrame: new)
            let words = takePendingBits(view.address(ofGuestFrame: old) + layout.pendingOffset)
            for (index, word) in words.enumerated() {
                var bits = word
                while bits != 0 {
                    let port = index * 64 + bits.trailingZeroBitCount
                    bits &= bits - 1
                    if GuestAtomics.testAndSetBit(target + layout.pendingOffset, port) {
                        move.merged += 1
                        continue
                    }
                    move.carried += 1
                    if GuestAtomics.testBit(target + layout.maskOffset, port) {
                        masked.append(port)
                    } else if raiseForCarriedPort(port, view: view) {
                        raised.insert(boundVCPU(ofPort: port))
                    }
                }
            }
        }
        for port in masked { wakePoller(vcpu: boundVCPU(ofPort: port), port: port) }
        for vcpu in raised { kick(vcpu: vcpu) }
    }

    /// As the guest's unmask: set the port's selector bit in its vCPU's
    /// vcpu_info and, if newly set, `upcall_pending`. True if newly set.
    private func raiseForCarriedPort(_ port: Int, view: GuestMemory.GuestView) -> Bool {
        let address = guestVCPUAddress(boundVCPU(ofPort: port))
        let info = view.address(ofGuestFrame: address / GuestMemory.pageSize) + address % GuestMemory.pageSize
        guard !GuestAtomics.testAndSetBit(info + layout.selectorWordOffset,
                                          layout.selectorFirstBit &+ port &>> layout.wordShift) else { return false }
        GuestAtomics.storeByte(info + VCPUInfoLayout.upcallPendingOffset, 1)
        return true
    }
}
