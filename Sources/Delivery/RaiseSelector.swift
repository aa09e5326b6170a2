import GuestMemory
import PageCache
import Platform
import Synchronization

extension EventChannelDomain where Lock: ~Copyable {
    /// The vcpu_info half of a delivery: set the selector bit and, if it was
    /// newly set, `upcall_pending`; through the shadow selector when the
    /// vcpu_info cache is unusable (or, for try designs, contended). Kicks
    /// the vCPU after the lock is dropped when anything was newly raised.
    @inlinable @inline(__always)
    func raiseSelector(vcpu: Int, word: Int, layout: GuestLayout, waiting: Bool, context: inout DeliveryContext) {
        let state = vcpus.pointer(at: vcpu)
        let reader = context.slot
        var kick = false
        repeat {
            let acquired = waiting
                ? state.pointee.vcpuInfo.lock.readLock(reader: reader)
                : state.pointee.vcpuInfo.lock.fastPathReadLock(reader: reader)
            guard let ticket = acquired else {
                kick = setShadowSelector(state, word: word)
                break
            }
            guard state.pointee.vcpuInfo.check(length: layout.vcpuInfoSize) else {
                _ = state.pointee.vcpuInfo.lock.readUnlock(reader: reader, ticket)
                kick = setShadowSelector(state, word: word)
                break
            }
            let info = state.pointee.vcpuInfo.mappedAddress
            state.pointee.vcpuInfo.lock.readSectionProbe()
            // docs/model.md §9, invariant 4: the selector is written only after the pending bit.
            if !GuestAtomics.testAndSetBit(info + layout.selectorWordOffset, layout.selectorFirstBit &+ word) {
                state.pointee.vcpuInfo.lock.selectorProbe()
                GuestAtomics.storeByte(info + VCPUInfoLayout.upcallPendingOffset, 1)
                kick = true
            }
            if !state.pointee.vcpuInfo.lock.readUnlock(reader: reader, ticket) {
                let replayed = replaySelector(vcpu: vcpu, word: word, waiting: waiting, reader: reader, raisedBefore: kick)
                kick = replayed.kick
                context.selectorReplays &+= replayed.replays
            }
        } while false
        if kick { state.pointee.kick.kick() }
    }

    /// The vcpu_info section again after a writer overlapped it (seqlock),
    /// as many times as writers keep overlapping; returns whether to kick
    /// and how many sections it ran. "Newly set" is carried across the
    /// attempts: if an earlier attempt newly set the selector bit, a
    /// relocation's copy may have carried that bit without
    /// `upcall_pending`, and a replay that finds the bit set must still
    /// store `upcall_pending`. Out of line, with the layout read from
    /// memory and few arguments: only replaying designs get here, and the
    /// call must not cost the inlined path registers. Its body repeats the
    /// section in `raiseSelector` on purpose: a shared inline section costs
    /// the inlined path instructions (docs/history.md).
    @inlinable @inline(never)
    func replaySelector(vcpu: Int, word: Int, waiting: Bool, reader: Int,
                        raisedBefore: Bool) -> (kick: Bool, replays: Int) {
        let state = vcpus.pointer(at: vcpu)
        var raised = raisedBefore
        var replays = 0
        while true {
            replays &+= 1
            let acquired = waiting
                ? state.pointee.vcpuInfo.lock.readLock(reader: reader)
                : state.pointee.vcpuInfo.lock.fastPathReadLock(reader: reader)
            guard let ticket = acquired else { return (setShadowSelector(state, word: word) || raised, replays) }
            guard state.pointee.vcpuInfo.check(length: layout.vcpuInfoSize) else {
                _ = state.pointee.vcpuInfo.lock.readUnlock(reader: reader, ticket)
                return (setShadowSelector(state, word: word) || raised, replays)
            }
            let info = state.pointee.vcpuInfo.mappedAddress
            state.pointee.vcpuInfo.lock.readSectionProbe()
            if !GuestAtomics.testAndSetBit(info + layout.selectorWordOffset, layout.selectorFirstBit &+ word) {
                raised = true
            }
            if raised { GuestAtomics.storeByte(info + VCPUInfoLayout.upcallPendingOffset, 1) }
            if state.pointee.vcpuInfo.lock.readUnlock(reader: reader, ticket) { return (raised, replays) }
        }
    }

    /// Sets `word` in the host-private shadow selector; true if newly set.
    @inlinable @inline(__always)
    func setShadowSelector(_ state: UnsafeMutablePointer<VCPUHostState<Lock>>, word: Int) -> Bool {
        let bit = UInt64(1) &<< UInt64(word)
        // Acquire-release: pairs with the acquiring snapshot and the
        // clearing RMW in injectPendingEvents.
        return state.pointee.shadowSelector.bitwiseOr(bit, ordering: .acquiringAndReleasing).oldValue & bit == 0
    }
}
