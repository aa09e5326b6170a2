import Platform
import TestSupport
import Testing

/// The owner `OwnedMutex` records in debug builds, which `assertHeld`
/// (lockdep_assert_held) checks in `refreshLocked`, `takeFreeFrame`,
/// `audit` and `freezeGuest`.
@Suite("OwnedMutex: who holds it")
struct OwnedMutexTests {
    #if DEBUG
    final class Shared: Sendable {
        let mutex = OwnedMutex()
        var isHeldHere: Bool { mutex.isHeldByCurrentThread }
    }

    @Test("held by the thread between its lock and unlock, by no one before or after")
    func heldBetweenLockAndUnlock() {
        let shared = Shared()
        #expect(!shared.isHeldHere)
        shared.mutex.withLock {
            #expect(shared.isHeldHere)
            shared.mutex.assertHeld()
        }
        #expect(!shared.isHeldHere)
    }

    @Test("another thread does not hold it while this one does, nor this one while another does")
    func heldByOneThreadOnly() {
        let shared = Shared()
        let seenHeldElsewhere = Flag()
        shared.mutex.withLock {
            HostThreadBox { if shared.isHeldHere { seenHeldElsewhere.set() } }.join()
        }
        #expect(!seenHeldElsewhere.isSet)

        let locked = Flag()
        let release = Flag()
        let holder = HostThreadBox {
            shared.mutex.withLock {
                locked.set()
                waitUntil { release.isSet }
            }
        }
        waitUntil { locked.isSet }
        #expect(!shared.isHeldHere)
        release.set()
        holder.join()
    }
    #endif
}
