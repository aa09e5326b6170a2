import GuestMemory
import Platform
import Synchronization
import Testing

/// The per-vCPU freeze that keeps the guest out of a page while the host
/// copies it: each guest CPU enters guest mode on its own counter, and a
/// migration waits for all of them to leave.
@Suite("Guest mode and the migration freeze")
struct GuestModeTests {
    static func memory(cpus: Int) throws -> GuestMemory {
        try GuestMemory(guestFrames: 2, quarantineFrames: 4, writerCapacity: 2, guestCPUs: cpus)
    }

    @Test("a vCPU inside guest mode holds off the copy, and its writes are copied")
    func insideHoldsOffCopy() throws {
        let memory = try Self.memory(cpus: 4)
        let gate = memory.guestCPUGate(2)
        gate.enter()
        let host = try HostThread.spawn { memory.migrate(guestFrame: 1) }
        // The host raises the freeze and then waits for vCPU 2 to leave.
        var backoff = Backoff()
        while !memory.isFrozen { backoff.pause() }
        for _ in 0..<1_000 { yieldThread() }
        #expect(memory.migrations == 0, "no copy while a vCPU is in guest mode")
        // A write made in guest mode, after the freeze was raised, is in the copy.
        memory.hostAddress(ofGuestFrame: 1).storeBytes(of: 0xC0FFEE, toByteOffset: 64, as: UInt64.self)
        gate.exit()
        host.join()
        #expect(memory.migrations == 1)
        memory.withGuestAccess(cpu: 3) { view in
            #expect(view.address(ofGuestFrame: 1).load(fromByteOffset: 64, as: UInt64.self) == 0xC0FFEE)
        }
    }

    @Test("the copy holds off every other vCPU until the page is remapped")
    func copyHoldsOffOthers() throws {
        let memory = try Self.memory(cpus: 4)
        let holder = memory.guestCPUGate(0)
        holder.enter()
        let oldFrame = memory.hostFrame(ofGuestFrame: 1)
        let host = try HostThread.spawn { memory.migrate(guestFrame: 1) }
        var backoff = Backoff()
        while !memory.isFrozen { backoff.pause() }
        // Three other vCPUs try to enter while the host is frozen.
        let trying = Atomic<Int>(0)
        let sawMigrated = Atomic<Int>(0)
        let others = try (1..<4).map { cpu in
            try HostThread.spawn {
                trying.wrappingAdd(1, ordering: .relaxed)
                memory.withGuestAccess(cpu: cpu) { view in
                    // The remap happens before the freeze ends (the migration
                    // counter only after it, so it is not the witness here).
                    if view.address(ofGuestFrame: 1) != memory.hostFrameAddress(oldFrame) {
                        sawMigrated.wrappingAdd(1, ordering: .relaxed)
                    }
                }
            }
        }
        while trying.load(ordering: .relaxed) < 3 { yieldThread() }
        for _ in 0..<1_000 { yieldThread() }
        holder.exit()
        host.join()
        others.forEach { $0.join() }
        #expect(sawMigrated.load(ordering: .relaxed) == 3, "each vCPU got in only after the copy and the remap")
    }
}
