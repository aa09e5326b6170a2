/*
 * evtchn.pml: the event-delivery protocol of evtchn-bench, for SPIN.
 * See README.md beside this file for what is modelled and why.
 *
 * Parameters (spin -D...):
 *   FAMILY    1 exclusion (rwlock, mutex, pthread-rwlock, percpu)
 *             2 grace period (rcu)
 *             3 optimistic replay (seqlock)
 *             4 none (nolock)
 *   STRATEGY  1 quiesce  2 both-locks  3 forced-slow  4 deactivate  5 xen-mark-all
 *             6 forced-slow-drain
 *   RULE      0 old invalidate rule (grace period only if the cache was
 *               valid and mapped the frame: GfnPfnCache.invalidate today)
 *             1 new rule, as GfnPfnCache.invalidate has it: a grace period
 *               also while an activate/deactivate of the cache is still in
 *               its own (counted from its flag store under the write side)
 *   NEVENTS   events each sender sends (default 1)
 *   NMIGR     migrations by the host (default 1), each of guest frame 0
 *             (the shared_info page) unless MIGRATE_VI
 *   MIGRATE_VI  each migration moves guest frame 0 or guest frame 1 (the
 *             new vcpu_info frame), the host's choice: invalidates the
 *             vcpu_info cache at its new place too, also in the middle of
 *             a relocation (its activate and refresh)
 *   ANYPORT   each event goes to port 0 or 1 (default: sender i, port i)
 *   EARLY_UNMASK  the guest may unmask port 1 at any time (default: in
 *             the final drain only)
 *   STRICT    1 (default): when everything has stopped, before the final
 *             drain, every owed port that is not masked must be signalled
 *             (selector bit and upcall, or the shadow); 0 only the old
 *             check after the drain (for comparison)
 *   GHOST     1: assert that no write through a cache mapping lands in a
 *             host frame the host has retired (copied away from); default
 *             1 for the families that do not replay, 0 for replay (which
 *             writes there and replays by design)
 *
 * Processes: two senders, one vCPU, one host. Every statement is one
 * atomic access of the Swift code, or a group of them kept in one atomic
 * block where no other process can tell the difference (README.md,
 * "Abstractions", argues each). SPIN explores sequentially consistent
 * interleavings only.
 */

#ifndef FAMILY
#define FAMILY 1
#endif
#ifndef STRATEGY
#define STRATEGY 1
#endif
#ifndef RULE
#define RULE 1
#endif
#ifndef NEVENTS
#define NEVENTS 1
#endif
#ifndef NMIGR
#define NMIGR 1
#endif
#ifndef STRICT
#define STRICT 1
#endif

#define EXCLUSION 1
#define GRACE 2
#define REPLAY 3
#define NONE 4

#define QUIESCE 1
#define BOTHLOCKS 2
#define FORCEDSLOW 3
#define DEACTIVATE 4
#define XENMARKALL 5
#define FORCEDSLOWDRAIN 6

#ifndef GHOST
#if FAMILY == REPLAY
#define GHOST 0
#else
#define GHOST 1
#endif
#endif

/* Ports 0 and 1; port p sits in selector word p (one port per word, so the
 * selector's bits are distinct). Port 1 starts masked; the guest unmasks it. */
#define NPORTS 2
#define ALLPORTS 3
/* Ports bound to vCPU 0 (EVTCHNOP_bind_vcpu; Linux's cpu_evtchn_mask). */
#define BOUND 3
#define MASKEDPORT 1

/* Guest frames: 0 holds shared_info and vCPU 0's default vcpu_info slot;
 * 1 holds the explicit vcpu_info the guest registers. Host frames: 0 and 1
 * back them at the start; 2.. are the spare frames the host migrates guest
 * frame 0 to (one per migration; retired frames are never reused, as the
 * quarantine guarantees). Each host frame has one vcpu_info slot (the
 * default slot in a shared_info page, offset 0 in frame 1). */
#define NFRAMES (2 + NMIGR)
#define NOFRAME 255

/* Caches: the shared_info cache and vCPU 0's vcpu_info cache. */
#define SI 0
#define VI 1
/* Readers (lock slots): sender 0, sender 1, the vCPU (shadow merge). */
#define NREADERS 3
#define VCPUREADER 2
/* Who waits for grace periods: the host (invalidate), the vCPU (activate,
 * deactivate, forced would-block). */
#define HOSTWAITER 0
#define VCPUWAITER 1

/* Guest memory, per host frame (bit masks over ports / selector words). */
byte pend[NFRAMES];
byte mask[NFRAMES];
byte vsel[NFRAMES];
bit vup[NFRAMES];
/* The host's (and the guest's) translation: guest frame -> host frame. */
byte frameOf[2];
/* mmu_invalidate_in_progress and mmu_invalidate_seq. */
bit inProgress;
byte mmuSeq;

/* GfnPfnCache state, per cache: flags (active, valid, forced would-block),
 * the mapped guest frame, and khva (the host frame mapped). */
bit cActive[2];
bit cValid[2];
bit forced[2];
byte gfn[2];
byte khva[2];
byte retiring[2];       /* GfnPfnCache.retiring: activate/deactivate grace periods in flight */

/* Host-private shadow selector of vCPU 0, and xen_lock (slowPathLock). */
byte shadow;
bit xenLock;
/* Where the guest believes its vcpu_info is (guest frame). */
byte guestVI;
/* SenderGate (quiesce): closed by the relocation; senders in a delivery. */
bit gateClosed;
byte inDelivery;
/* forced-slow-drain: bit per sender, set while it is in a fast-path attempt
 * (from the start of a delivery until it leaves the fast path: before it
 * waits for xen_lock, or at the end of the delivery); the relocation's
 * drain snapshots it after raising the flag and waits until every sender
 * in the snapshot has cleared its bit (synchronize_srcu over the fast path). */
byte inFast;
byte drainWait;

/* Ghost state for the property: `owed` has bit p set from the moment a
 * sender's test_and_set changed pending[p] from 0 to 1 (through whatever
 * mapping) until the guest's handler clears pending[p] in the live page. */
byte owed;
byte sendersDone;
bit hostDone;
/* Ghost: host frames the host has copied away from (GHOST). */
byte retired;

/* The read-mostly lock of each cache, by design family. */
#if FAMILY == EXCLUSION
bit wr[2];           /* a writer holds the lock */
byte rd[2];          /* readers inside */
#elif FAMILY == GRACE
bit wm[2];           /* writers' mutex */
byte inside[2];      /* readers inside a section, bit per reader */
/* Grace periods in progress, per waiter (the host, the vCPU) and lock: the
 * readers still to leave (see synchronize). */
byte gpWait[4];
#elif FAMILY == REPLAY
bit wm[2];           /* writers' ticket lock; the sequence is odd while set */
/* Per lock, bit per reader: a writer entered since the reader's readLock
 * (its ticket is stale: the sequence moved). */
byte seqMoved[2];
#endif

/* A write through a cache mapping to host frame f (inside the write's
 * atomic step): with GHOST, f must not be retired. */
inline ghost_write(f) {
#if GHOST
    assert(((retired >> f) & 1) == 0)
#else
    skip
#endif
}

/* ---- The lock designs (ReadMostlyLock) ---- */

inline read_lock(l, r) {
#if FAMILY == EXCLUSION
    atomic { wr[l] == 0 -> rd[l]++ }
#elif FAMILY == GRACE
    /* EpochRCU.readLock: load the epoch, announce in the reader's slot. */
    inside[l] = inside[l] | (1 << r)
#elif FAMILY == REPLAY
    /* SeqLockDesign.readLock: wait for an even sequence, keep it. */
    atomic { wm[l] == 0 -> seqMoved[l] = seqMoved[l] & ~(1 << r) }
#else
    skip
#endif
}

inline read_unlock(l, r, held) {
#if FAMILY == EXCLUSION
    rd[l]--; held = 1
#elif FAMILY == GRACE
    atomic {
        inside[l] = inside[l] & ~(1 << r);
        gpWait[l] = gpWait[l] & ~(1 << r);
        gpWait[2 + l] = gpWait[2 + l] & ~(1 << r);
        held = 1
    }
#elif FAMILY == REPLAY
    /* Re-read the sequence: unchanged since readLock? */
    held = ((seqMoved[l] >> r) & 1) == 0
#else
    held = 1
#endif
}

inline write_lock(l) {
#if FAMILY == EXCLUSION
    atomic { wr[l] == 0 && rd[l] == 0 -> wr[l] = 1 }
#elif FAMILY == GRACE
    atomic { wm[l] == 0 -> wm[l] = 1 }
#elif FAMILY == REPLAY
    /* Take the writers' lock, increment the sequence (odd): every reader's
     * ticket is stale from now on. */
    atomic { wm[l] == 0 -> wm[l] = 1; seqMoved[l] = 7 }
#else
    skip
#endif
}

inline write_unlock(l) {
#if FAMILY == EXCLUSION
    wr[l] = 0
#elif FAMILY == GRACE
    wm[l] = 0
#elif FAMILY == REPLAY
    wm[l] = 0            /* the sequence is even again */
#else
    skip
#endif
}

/* synchronize, called by `waiter` (0 the host, 1 the vCPU): a grace period
 * for rcu, nothing for the other families. EpochRCU.synchronize increments
 * the epoch, then waits for every slot that is empty or holds an epoch at
 * least the new one: that is, for every reader inside at the increment to
 * have left. The model records that set at the increment and lets each
 * reader's readUnlock remove itself from it. */
inline synchronize(l, waiter) {
#if FAMILY == GRACE
    gpWait[2 * waiter + l] = inside[l];
    gpWait[2 * waiter + l] == 0
#else
    skip
#endif
}

/* ---- GfnPfnCache verbs ---- */

/* check: the mapped host frame if active, valid and not forced; else NOFRAME. */
inline check(l, page) {
    atomic {
        if
        :: cActive[l] && cValid[l] && !forced[l] -> page = khva[l]
        :: else -> page = NOFRAME
        fi
    }
}

/* refresh (refreshLocked): result 1 refreshed, 0 inactive. */
inline refresh(l, result) {
    do
    :: !cActive[l] -> result = 0; break
    :: cActive[l] && cValid[l] -> result = 1; break
    :: cActive[l] && !cValid[l] ->
        atomic { inProgress == 0 -> rfSeq = mmuSeq }   /* beginTranslation */
        rfFrame = frameOf[gfn[l]];                     /* hva_to_pfn */
        write_lock(l);
        if
        :: inProgress || mmuSeq != rfSeq -> write_unlock(l)   /* retry */
        :: else ->
            atomic { khva[l] = rfFrame; cValid[l] = 1 }
            write_unlock(l)
        fi
    od
}

inline activate(l, g, result) {
    write_lock(l);
    atomic { gfn[l] = g; khva[l] = NOFRAME; cActive[l] = 1; cValid[l] = 0; forced[l] = 0; retiring[l]++ }
    write_unlock(l);
    synchronize(l, VCPUWAITER);
    retiring[l]--;
    refresh(l, result)
}

inline deactivate(l) {
    write_lock(l);
    atomic { cActive[l] = 0; cValid[l] = 0; forced[l] = 0; khva[l] = NOFRAME; retiring[l]++ }
    write_unlock(l);
    synchronize(l, VCPUWAITER);
    retiring[l]--
}

inline force_would_block(l, on) {
    write_lock(l);
    forced[l] = on;
    write_unlock(l);
    synchronize(l, VCPUWAITER)
}

/* invalidate (the MMU notifier's part), by RULE. */
inline invalidate(l, g) {
    write_lock(l);
    atomic {
        mapsFrame = cValid[l] && gfn[l] == g;
        if :: mapsFrame -> cValid[l] = 0 :: else fi
#if RULE != 0
        /* GfnPfnCache.invalidate: also wait while a retiring writer's
         * grace period runs (read under the write side, as the code does). */
        mapsFrame = mapsFrame || retiring[l] != 0
#endif
    }
    write_unlock(l);
    if :: mapsFrame -> synchronize(l, HOSTWAITER) :: else fi
}

/* ---- The vcpu_info half of a delivery (raiseSelector) ---- */

/* `newly` is carried across the attempts: if any attempt newly set the
 * selector (a copy may since have carried it to the page the replay finds),
 * the attempt that holds stores upcall_pending (issue 16). */
inline raise_selector(me, word) {
    newly = 0;
    do
    :: read_lock(VI, me);
        check(VI, page);
        if
        :: page == NOFRAME ->
            read_unlock(VI, me, held);
            shadow = shadow | (1 << word);
            break
        :: else ->
            atomic {
                ghost_write(page);
                newly = newly | (((vsel[page] >> word) & 1) == 0);
                vsel[page] = vsel[page] | (1 << word)
            }
            if :: newly -> atomic { ghost_write(page); vup[page] = 1 } :: else fi;
            read_unlock(VI, me, held);
            if :: held -> break :: else fi   /* replay (seqlock) */
        fi
    od
}

/* ---- Senders ---- */

/* The sender is out of its fast path (forced-slow-drain's quiescent state). */
inline leave_fast_path(me) {
    atomic {
        inFast = inFast & ~(1 << me);
        drainWait = drainWait & ~(1 << me)
    }
}

proctype Sender(byte me) {
    byte sent = 0;
    byte port;
    byte page;
    bit held;
    bit carried;
    bit setNow;
    bit masked;
    bit newly;
    bit slow;
    bit wouldBlock;
    bit result;
    byte rfSeq;
    byte rfFrame;

    do
    :: sent < NEVENTS ->
        atomic {
            !gateClosed -> inDelivery++;    /* SenderGate.pass */
            inFast = inFast | (1 << me);
#ifdef ANYPORT
            if :: port = 0 :: port = 1 fi;
#else
            port = me;
#endif
            carried = 0; slow = 0; masked = 0
        }
        /* deliver: the fast path, then the slow path under xen_lock */
        do
        :: true ->
            /* attempt: the shared_info section, replayed if a writer overlapped */
            wouldBlock = 0;
            do
            :: read_lock(SI, me);
                check(SI, page);
                if
                :: page == NOFRAME ->
                    read_unlock(SI, me, held);
                    wouldBlock = 1;
                    break
                :: else ->
                    atomic {
                        ghost_write(page);
                        setNow = ((pend[page] >> port) & 1) == 0;
                        pend[page] = pend[page] | (1 << port);
                        if :: setNow -> owed = owed | (1 << port) :: else fi
                    }
                    if
                    :: setNow || carried -> masked = (mask[page] >> port) & 1
                    :: else
                    fi;
                    atomic { read_unlock(SI, me, held); carried = carried || setNow };
                    if :: held -> break :: else fi
                fi
            od;
            if
            :: wouldBlock && !slow ->
                leave_fast_path(me);
                atomic { xenLock == 0 -> xenLock = 1 }; slow = 1
            :: wouldBlock && slow -> refresh(SI, result)   /* SI is never deactivated */
            :: !wouldBlock -> break
            fi
        od;
        if
        :: carried && !masked -> raise_selector(me, port)
        :: else   /* coalesced or masked */
        fi;
        if :: slow -> xenLock = 0 :: else fi;
        atomic { leave_fast_path(me); inDelivery-- };
        sent++
    :: else -> break
    od;
    sendersDone++
}

/* ---- The host: migrate a guest frame (GuestMemory.migrate) ---- */

proctype Host() {
    byte m = 0;
    byte g;
    byte old;
    bit mapsFrame;

    do
    :: m < NMIGR ->
#ifdef MIGRATE_VI
        if :: g = 0 :: g = 1 fi;
#else
        g = 0;
#endif
        inProgress = 1;
        invalidate(SI, g);
        invalidate(VI, g);
        /* The copy (the guest's view is frozen meanwhile): writes through
         * the old mapping after this step are lost to the guest. */
        atomic {
            old = frameOf[g];
            pend[2 + m] = pend[old];
            mask[2 + m] = mask[old];
            vsel[2 + m] = vsel[old];
            vup[2 + m] = vup[old];
            frameOf[g] = 2 + m;
            retired = retired | (1 << old)
        }
        atomic { mmuSeq++; inProgress = 0 }
        m++
    :: else -> break
    od;
    hostDone = 1
}

/* ---- The vCPU: guest handler, unmask, shadow merge, relocation ---- */

/* One pass of the guest's upcall handler (events_2l), on the live page. */
inline handler_pass() {
    atomic { vup[frameOf[guestVI]] == 1 -> vup[frameOf[guestVI]] = 0 }
    atomic { sel = vsel[frameOf[guestVI]]; vsel[frameOf[guestVI]] = 0; w = 0 }
    do
    :: w < NPORTS ->
        /* For selected word w (port w): bits = pending & bound to this vCPU
         * & ~mask; test_and_clear each bit, then handle the port. One step:
         * between the read and the clear nothing can clear the bit, and a
         * sender can only set it again (coalesced). */
        atomic {
            if
            :: ((sel >> w) & 1) && (pend[frameOf[0]] & BOUND & ~mask[frameOf[0]] & (1 << w)) ->
                pend[frameOf[0]] = pend[frameOf[0]] & ~(1 << w);
                owed = owed & ~(1 << w)
            :: else
            fi;
            w++
        }
    :: else -> break
    od
}

/* guestUnmask of the masked port: clear mask, then if pending re-raise. */
inline unmask() {
    mask[frameOf[0]] = mask[frameOf[0]] & ~(1 << MASKEDPORT);
    if
    :: (pend[frameOf[0]] >> MASKEDPORT) & 1 ->
        atomic {
            newly = ((vsel[frameOf[guestVI]] >> MASKEDPORT) & 1) == 0;
            vsel[frameOf[guestVI]] = vsel[frameOf[guestVI]] | (1 << MASKEDPORT)
        }
        if :: newly -> vup[frameOf[guestVI]] = 1 :: else fi
    :: else
    fi;
    unmasked = 1
}

/* injectPendingEvents: the shadow merge on vCPU entry. */
inline inject() {
    snap = shadow;
    cleared = 0;
    do
    :: snap == 0 -> break
    :: snap != 0 ->
        read_lock(VI, VCPUREADER);
        check(VI, page);
        if
        :: page == NOFRAME ->
            read_unlock(VI, VCPUREADER, held);
            refresh(VI, result);
            if :: result == 0 -> break :: else fi
        :: else ->
            atomic { ghost_write(page); vsel[page] = vsel[page] | snap };
            if :: !cleared -> shadow = shadow & ~snap; cleared = 1 :: else fi;
            atomic { ghost_write(page); vup[page] = 1 };
            read_unlock(VI, VCPUREADER, held);
            if :: held -> break :: else fi
        fi
    od
}

/* copyVCPUInfo: 64 bytes from the guest's current vcpu_info to frame 1
 * (under guest access: the shared_info page does not move meanwhile). */
inline copy_vcpu_info() {
    atomic {
        vsel[frameOf[1]] = vsel[frameOf[guestVI]];
        vup[frameOf[1]] = vup[frameOf[guestVI]]
    }
}

inline activate_vcpu_info(g) {
    guestVI = g;
    activate(VI, g, result)
}

inline copy_holding_both_locks() {
    write_lock(SI);
    write_lock(VI);
    copy_vcpu_info();
    write_unlock(VI);
    write_unlock(SI)
}

/* relocateVCPUInfo from the default slot to guest frame 1. */
inline relocate() {
#if STRATEGY == QUIESCE
    gateClosed = 1;
    inDelivery == 0;                  /* every active sender parked */
    copy_vcpu_info();
    activate_vcpu_info(1);
    gateClosed = 0
#elif STRATEGY == BOTHLOCKS
    activate(VI, 1, result);
    copy_holding_both_locks();
    guestVI = 1
#elif STRATEGY == FORCEDSLOW
    atomic { xenLock == 0 -> xenLock = 1 };
    force_would_block(SI, 1);
    activate(VI, 1, result);
    copy_holding_both_locks();
    guestVI = 1;
    force_would_block(SI, 0);
    xenLock = 0
#elif STRATEGY == DEACTIVATE
    deactivate(VI);
    copy_vcpu_info();
    activate_vcpu_info(1)
#elif STRATEGY == XENMARKALL
    copy_vcpu_info();
    activate_vcpu_info(1);
    atomic {
        vsel[frameOf[1]] = vsel[frameOf[1]] | ALLPORTS;
        vup[frameOf[1]] = 1
    }
#elif STRATEGY == FORCEDSLOWDRAIN
    /* The reviewer's "invalidate the cache and use the slow path", as a
     * kernel would: raise the flag, then wait for every fast-path attempt
     * that started before it (synchronize_srcu over kvm->srcu). */
    atomic { xenLock == 0 -> xenLock = 1 };
    force_would_block(SI, 1);
    drainWait = inFast;
    drainWait == 0;
    copy_vcpu_info();
    activate_vcpu_info(1);
    force_would_block(SI, 0);
    xenLock = 0
#endif
}

proctype VCPU() {
    byte page;
    bit held;
    bit result;
    bit newly;
    bit relocated;
    bit unmasked;
    bit cleared;
    byte snap;
    byte sel;
    byte w;
    byte rfSeq;
    byte rfFrame;
    byte unsignalled;

    do
    :: vup[frameOf[guestVI]] == 1 -> handler_pass()
    :: shadow != 0 -> inject()
#ifdef EARLY_UNMASK
    :: !unmasked -> unmask()
#endif
    :: !relocated -> relocate(); relocated = 1
    :: relocated && sendersDone == 2 && hostDone -> break
    od;
#if STRICT
    /* Everything has stopped; before any drain or unmask: every owed port
     * that is not masked in the live page is signalled, i.e. its selector
     * bit is set (in the current vcpu_info or the shadow) and upcall_pending
     * is set (or the shadow is non-empty, merged on the next entry). */
    atomic {
        sel = vsel[frameOf[guestVI]] | shadow;
        if :: vup[frameOf[guestVI]] == 0 && shadow == 0 -> sel = 0 :: else fi;
        unsignalled = owed & ~mask[frameOf[0]] & ~sel & ALLPORTS;
        assert(unsignalled == 0)
    }
#endif
    /* The final drain: unmask, merge on entry, handle until quiet. */
    if :: !unmasked -> unmask() :: else fi;
    inject();
    do
    :: vup[frameOf[guestVI]] == 1 -> handler_pass()
    :: else -> break
    od;
    assert(owed == 0)
}

init {
    atomic {
        frameOf[0] = 0;
        frameOf[1] = 1;
        mask[0] = 1 << MASKEDPORT;
        /* shared_info active and valid; vcpu_info in its default slot */
        cActive[SI] = 1; cValid[SI] = 1; gfn[SI] = 0; khva[SI] = 0;
        cActive[VI] = 1; cValid[VI] = 1; gfn[VI] = 0; khva[VI] = 0;
        guestVI = 0;
        run Sender(0);
        run Sender(1);
        run VCPU();
        run Host()
    }
}
