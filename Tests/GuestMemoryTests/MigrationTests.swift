import GuestMemory
import Synchronization
import Testing

/// Guest memory for these tests: 2 guest CPUs.
func testMemory(guestFrames: Int = 2, quarantineFrames: Int = 4, writers: Int = 2) throws -> GuestMemory {
    try GuestMemory(guestFrames: guestFrames, quarantineFrames: quarantineFrames, writerCapacity: writers,
                    guestCPUs: 2)
}

@Suite("GuestMemory migration")
struct MigrationTests {
    @Test("a fresh memory maps guest frame g to host frame g, zero-filled")
    func initialMapping() throws {
        let memory = try testMemory(guestFrames: 3, quarantineFrames: 2)
        #expect(memory.guestFrameCount == 3)
        #expect(memory.hostFrameCount == 5)
        for frame in 0..<3 {
            #expect(memory.hostFrame(ofGuestFrame: frame) == frame)
            #expect(memory.hostAddress(ofGuestFrame: frame) == memory.hostFrameAddress(frame))
        }
        #expect(Int(bitPattern: memory.hostFrameAddress(0)) % GuestMemory.pageSize == 0)
        #expect(memory.hostFrameAddress(1) - memory.hostFrameAddress(0) == GuestMemory.pageSize)
        let page = UnsafeRawBufferPointer(start: memory.hostFrameAddress(0), count: 5 * GuestMemory.pageSize)
        #expect(page.allSatisfy { $0 == 0 })
        #expect(memory.migrations == 0 && memory.deferredMigrations == 0 && memory.staleBits == 0)
    }

    @Test("migrate moves the frame and preserves its content")
    func migratePreservesContent() throws {
        let memory = try testMemory()
        memory.withGuestAccess { view in
            let page = view.address(ofGuestFrame: 1)
            for offset in stride(from: 0, to: GuestMemory.pageSize, by: 8) {
                page.storeBytes(of: UInt64(offset) &* 0x9E37_79B9_7F4A_7C15, toByteOffset: offset, as: UInt64.self)
            }
        }
        let result = memory.migrate(guestFrame: 1)
        guard case .migrated(let from, let to) = result else {
            Issue.record("expected a migration, got \(result)")
            return
        }
        #expect(from == 1)
        #expect(to != 1)
        #expect(memory.hostFrame(ofGuestFrame: 1) == to)
        #expect(memory.hostFrame(ofGuestFrame: 0) == 0, "other frames stay put")
        #expect(memory.migrations == 1)
        memory.withGuestAccess { view in
            let page = view.address(ofGuestFrame: 1)
            #expect(page == memory.hostFrameAddress(to))
            for offset in stride(from: 0, to: GuestMemory.pageSize, by: 8) {
                let value = page.load(fromByteOffset: offset, as: UInt64.self)
                if value != UInt64(offset) &* 0x9E37_79B9_7F4A_7C15 {
                    Issue.record("word at \(offset) not carried")
                    break
                }
            }
        }
    }

    @Test("repeated migrations keep the content and never reuse the current frame")
    func repeatedMigrations() throws {
        let memory = try testMemory(guestFrames: 1, quarantineFrames: 3)
        GuestAtomics.storeByte(memory.hostAddress(ofGuestFrame: 0) + 100, 0x5C)
        var previous = memory.hostFrame(ofGuestFrame: 0)
        for round in 0..<10 {
            guard case .migrated(let from, let to) = memory.migrate(guestFrame: 0) else {
                Issue.record("round \(round) deferred with no registered writer")
                return
            }
            #expect(from == previous)
            #expect(to != from)
            previous = to
            #expect(GuestAtomics.loadByte(memory.hostAddress(ofGuestFrame: 0) + 100) == 0x5C)
        }
        #expect(memory.migrations == 10)
        #expect(memory.deferredMigrations == 0)
        #expect(memory.staleBits == 0)
    }

    @Test("writes before migration are carried and not stale")
    func writesBeforeMigrationAreCarried() throws {
        let memory = try testMemory()
        let pending = GuestABI.longMode.sharedInfo.pendingOffset
        for port in [0, 66, 4095] {
            _ = GuestAtomics.testAndSetBit(memory.hostAddress(ofGuestFrame: 0) + pending, port)
        }
        memory.migrate(guestFrame: 0)
        memory.auditQuarantine()
        #expect(memory.staleBits == 0)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0..<GuestMemory.pageSize) == 0)
        for port in [0, 66, 4095] {
            #expect(GuestAtomics.testBit(memory.hostAddress(ofGuestFrame: 0) + pending, port))
        }
    }

    @Test("writes through the old frame after migration are stale, attributed to their words")
    func staleWritesAfterMigration() throws {
        let memory = try testMemory()
        let pending = GuestABI.longMode.sharedInfo.pendingOffset
        guard case .migrated(let old, _) = memory.migrate(guestFrame: 0) else {
            Issue.record("migration deferred")
            return
        }
        // Port 66 is bit 2 of pending word 1 (bytes 0x808..<0x810); port 130
        // and 131 are in word 2 (bytes 0x810..<0x818). Plus the selector of
        // vCPU 1 (bytes 0x48..<0x50).
        let stale = memory.hostFrameAddress(old)
        _ = GuestAtomics.testAndSetBit(stale + pending, 66)
        _ = GuestAtomics.testAndSetBit(stale + pending, 130)
        _ = GuestAtomics.testAndSetBit(stale + pending, 131)
        GuestAtomics.orField(stale + 0x48, byteCount: 8, 0b1011)
        // Nothing is counted until the frame is audited.
        #expect(memory.staleBits == 0)
        // The guest never sees them.
        #expect(!GuestAtomics.testBit(memory.hostAddress(ofGuestFrame: 0) + pending, 66))

        memory.auditQuarantine()
        #expect(memory.staleBits == 6)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0..<GuestMemory.pageSize) == 6)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x808..<0x810) == 1)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x809..<0x80A) == 1, "whole overlapping word")
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x810..<0x818) == 2)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x808..<0x818) == 3)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x800..<0x808) == 0)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x818..<0xA00) == 0)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x48..<0x50) == 3)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x00..<0x48) == 0)
        #expect(memory.staleBits(guestFrame: 1, bytes: 0..<GuestMemory.pageSize) == 0, "other guest frame")

        // Auditing again does not count the same frame twice.
        memory.auditQuarantine()
        #expect(memory.staleBits == 6)
    }

    @Test("stale writes are attributed to the guest frame the retired frame belonged to")
    func staleBitsPerGuestFrame() throws {
        let memory = try testMemory(guestFrames: 3)
        guard case .migrated(let old, _) = memory.migrate(guestFrame: 2) else {
            Issue.record("migration deferred")
            return
        }
        #expect(old == 2)
        GuestAtomics.storeByte(memory.hostFrameAddress(old) + 4000, 0xFF)
        memory.auditQuarantine()
        #expect(memory.staleBits == 8)
        #expect(memory.staleBits(guestFrame: 2, bytes: 4000..<4001) == 8)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0..<GuestMemory.pageSize) == 0)
        #expect(memory.staleBits(guestFrame: 1, bytes: 0..<GuestMemory.pageSize) == 0)
    }
}
