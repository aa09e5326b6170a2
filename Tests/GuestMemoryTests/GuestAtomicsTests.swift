import GuestMemory
import Platform
import Synchronization
import TestSupport
import Testing

/// GuestAtomics on a page-aligned buffer: results, and exactly which bytes
/// each operation changes (Xen bitmaps are little-endian in both ABIs).
@Suite("GuestAtomics")
struct GuestAtomicsTests {
    @Test("testAndSetBit and testAndClearBit return the previous value")
    func testAndSetClearReturns() {
        let page = PageBuffer()
        #expect(GuestAtomics.testBit(page.base, 5) == false)
        #expect(GuestAtomics.testAndSetBit(page.base, 5) == false)
        #expect(GuestAtomics.testBit(page.base, 5) == true)
        #expect(GuestAtomics.testAndSetBit(page.base, 5) == true)
        #expect(GuestAtomics.testAndClearBit(page.base, 5) == true)
        #expect(GuestAtomics.testBit(page.base, 5) == false)
        #expect(GuestAtomics.testAndClearBit(page.base, 5) == false)
        #expect(page.bytes(0..<4096).allSatisfy { $0 == 0 })
    }

    @Test("neighbouring bits are independent")
    func neighbouringBits() {
        let page = PageBuffer()
        #expect(GuestAtomics.testAndSetBit(page.base, 63) == false)
        #expect(GuestAtomics.testAndSetBit(page.base, 64) == false)
        #expect(GuestAtomics.testAndClearBit(page.base, 63) == true)
        #expect(GuestAtomics.testBit(page.base, 64) == true)
        #expect(GuestAtomics.testBit(page.base, 62) == false)
        #expect(page.byte(7) == 0)
        #expect(page.byte(8) == 0x01)
    }

    @Test("bit p is bit p % 8 of byte p / 8 (little-endian bitmap)",
          arguments: [0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 66, 100, 127, 128, 1023, 4095, 8191, 32767])
    func littleEndianBitmap(bit: Int) {
        let page = PageBuffer()
        #expect(GuestAtomics.testAndSetBit(page.base, bit) == false)
        for offset in 0..<4096 {
            let expected: UInt8 = offset == bit / 8 ? UInt8(1) << UInt8(bit % 8) : 0
            if page.byte(offset) != expected {
                Issue.record("bit \(bit): byte \(offset) is \(page.byte(offset)), expected \(expected)")
            }
        }
        #expect(GuestAtomics.testAndClearBit(page.base, bit) == true)
        #expect(page.byte(bit / 8) == 0)
    }

    @Test("a field that does not start on a word boundary is bits 32.. of its aligned word")
    func fieldInsideAWord() {
        // A compat selector sits at +4 of vcpu_info: bit operations address
        // it from the aligned word, starting at bit 32 (GuestLayout's
        // selectorWordOffset and selectorFirstBit), and land at base + bit / 8.
        let page = PageBuffer()
        let word = page.base + 0x800
        #expect(GuestAtomics.testAndSetBit(word, 32 + 3) == false)
        #expect(GuestAtomics.testAndSetBit(word, 32 + 33) == false)
        #expect(page.byte(0x804) == 0x08)
        #expect(page.byte(0x808) == 0x02)
        #expect(page.byte(0x800) == 0)
        #expect(GuestAtomics.testBit(word, 32 + 33))
        #expect(GuestAtomics.testAndSetBit(word, 32 + 3) == true)
        #expect(GuestAtomics.testAndClearBit(word, 32 + 0) == false, "bit 0 of the field was not set")
        #expect(GuestAtomics.testAndClearBit(word, 32 + 3) == true, "bit 3 of the field was set")
        #expect(page.byte(0x804) == 0)
    }

    /// Flags of a compat vcpu_info (upcall pending, upcall mask, padding)
    /// that the selector operations at offset 4 must leave alone.
    static let compatFlags: [UInt8] = [0x01, 0x01, 0xA5, 0x5A]

    @Test("compat selector: orField/takeField with 4 bytes touch only bytes 4..7", arguments: [0, 1, 31])
    func compatSelector(vcpu: Int) {
        let page = PageBuffer()
        let info = 64 * vcpu
        let layout = GuestABI.compat.vcpuInfo
        for (index, value) in Self.compatFlags.enumerated() { page.setByte(info + index, value) }
        // Arch bytes after the selector, and the neighbouring vcpu_info.
        for offset in (info + 8)..<(info + 16) { page.setByte(offset, 0xEE) }
        let selector = page.base + info + layout.pendingSelectorOffset

        GuestAtomics.orField(selector, byteCount: layout.pendingSelectorBytes, 0x8000_0001)
        GuestAtomics.orField(selector, byteCount: layout.pendingSelectorBytes, 0x0000_0100)
        #expect(page.bytes((info + 4)..<(info + 8)) == [0x01, 0x01, 0x00, 0x80])
        #expect(page.bytes(info..<(info + 4)) == Self.compatFlags)
        #expect(page.bytes((info + 8)..<(info + 16)) == Array(repeating: 0xEE, count: 8))
        #expect(GuestAtomics.loadBits(page.base + info, first: 32, count: 32) == 0x8000_0101)

        let taken = GuestAtomics.takeField(selector, byteCount: layout.pendingSelectorBytes)
        #expect(taken == 0x8000_0101)
        #expect(page.bytes((info + 4)..<(info + 8)) == [0, 0, 0, 0])
        #expect(page.bytes(info..<(info + 4)) == Self.compatFlags)
        #expect(page.bytes((info + 8)..<(info + 16)) == Array(repeating: 0xEE, count: 8))
        #expect(GuestAtomics.loadByte(page.base + info + layout.upcallPendingOffset) == 0x01)
        #expect(GuestAtomics.loadByte(page.base + info + layout.upcallMaskOffset) == 0x01)

        #expect(GuestAtomics.takeField(selector, byteCount: layout.pendingSelectorBytes) == 0)
    }

    @Test("a 4-byte field at offset 0 of a word leaves the upper half alone")
    func compatFieldLowerHalf() {
        let page = PageBuffer()
        for offset in 4..<8 { page.setByte(offset, 0x77) }
        GuestAtomics.orField(page.base, byteCount: 4, 0xDEAD_BEEF)
        #expect(page.bytes(0..<8) == [0xEF, 0xBE, 0xAD, 0xDE, 0x77, 0x77, 0x77, 0x77])
        #expect(GuestAtomics.takeField(page.base, byteCount: 4) == 0xDEAD_BEEF)
        #expect(page.bytes(0..<8) == [0, 0, 0, 0, 0x77, 0x77, 0x77, 0x77])
    }

    @Test("long-mode selector: 8-byte orField/takeField at offset 8", arguments: [0, 2])
    func longModeSelector(vcpu: Int) {
        let page = PageBuffer()
        let info = 64 * vcpu
        let layout = GuestABI.longMode.vcpuInfo
        for offset in info..<(info + 8) { page.setByte(offset, 0x11) }
        for offset in (info + 16)..<(info + 24) { page.setByte(offset, 0x22) }
        let selector = page.base + info + layout.pendingSelectorOffset

        GuestAtomics.orField(selector, byteCount: layout.pendingSelectorBytes, 0xFFFF_0000_0000_0001)
        GuestAtomics.orField(selector, byteCount: layout.pendingSelectorBytes, 0x0000_0001_0000_0000)
        #expect(page.bytes((info + 8)..<(info + 16)) == [0x01, 0, 0, 0, 0x01, 0, 0xFF, 0xFF])
        #expect(page.bytes(info..<(info + 8)) == Array(repeating: 0x11, count: 8))
        #expect(page.bytes((info + 16)..<(info + 24)) == Array(repeating: 0x22, count: 8))

        #expect(GuestAtomics.takeField(selector, byteCount: layout.pendingSelectorBytes) == 0xFFFF_0001_0000_0001)
        #expect(page.bytes((info + 8)..<(info + 16)) == Array(repeating: 0, count: 8))
        #expect(page.bytes(info..<(info + 8)) == Array(repeating: 0x11, count: 8))
        #expect(page.bytes((info + 16)..<(info + 24)) == Array(repeating: 0x22, count: 8))
        #expect(GuestAtomics.takeField(selector, byteCount: layout.pendingSelectorBytes) == 0)
    }

    @Test("loadBits reads 64- and 32-bit words, upper halves included")
    func loadBits() {
        let page = PageBuffer()
        let bitmap = page.base + 0x800
        // Word 0: 0x8000_0002_0000_0001; word 1: 0x0000_0001_8000_0000.
        for bit in [0, 33, 63, 64 + 31, 64 + 32] {
            #expect(GuestAtomics.testAndSetBit(bitmap, bit) == false)
        }
        #expect(GuestAtomics.loadBits(bitmap, first: 0, count: 64) == 0x8000_0002_0000_0001)
        #expect(GuestAtomics.loadBits(bitmap, first: 64, count: 64) == 0x0000_0001_8000_0000)
        #expect(GuestAtomics.loadBits(bitmap, first: 0, count: 32) == 0x0000_0001)
        #expect(GuestAtomics.loadBits(bitmap, first: 32, count: 32) == 0x8000_0002)
        #expect(GuestAtomics.loadBits(bitmap, first: 64, count: 32) == 0x8000_0000)
        #expect(GuestAtomics.loadBits(bitmap, first: 96, count: 32) == 0x0000_0001)
        #expect(GuestAtomics.loadBits(bitmap, first: 128, count: 64) == 0)
    }

    @Test("loadBits agrees with testBit for every bit of a compat pending word", arguments: [0, 5, 31])
    func loadBitsMatchesTestBit(word: Int) {
        let page = PageBuffer()
        let bitmap = page.base + GuestABI.compat.sharedInfo.pendingOffset
        let pattern: UInt64 = 0xC3A5_0F01
        for bit in 0..<32 where pattern >> UInt64(bit) & 1 != 0 {
            _ = GuestAtomics.testAndSetBit(bitmap, 32 * word + bit)
        }
        #expect(GuestAtomics.loadBits(bitmap, first: 32 * word, count: 32) == pattern)
        for bit in 0..<32 {
            #expect(GuestAtomics.testBit(bitmap, 32 * word + bit) == (pattern >> UInt64(bit) & 1 != 0))
        }
    }

    @Test("storeByte/loadByte touch one byte")
    func storeLoadByte() {
        let page = PageBuffer()
        for offset in 0..<16 { page.setByte(offset, 0x33) }
        GuestAtomics.storeByte(page.base + 1, 0xAB)
        GuestAtomics.storeByte(page.base + 9, 0x00)
        #expect(GuestAtomics.loadByte(page.base + 1) == 0xAB)
        #expect(GuestAtomics.loadByte(page.base + 9) == 0x00)
        #expect(GuestAtomics.loadByte(page.base + 0) == 0x33)
        #expect(page.bytes(0..<16) == [0x33, 0xAB, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
                                       0x33, 0x00, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33])
    }

    @Test("copyPage copies and snapshots; differingBitsPerWord counts per word")
    func copyAndDiffer() {
        let pages = PageBuffer(pages: 3)
        let source = pages.base, copy = pages.base + 4096, snapshot = pages.base + 8192
        for offset in stride(from: 0, to: 4096, by: 7) { pages.setByte(offset, UInt8(truncatingIfNeeded: offset | 1)) }
        GuestAtomics.copyPage(from: source, to: copy, snapshot: snapshot, bytes: 4096)
        #expect(pages.bytes(0..<4096) == pages.bytes(4096..<8192))
        #expect(pages.bytes(0..<4096) == pages.bytes(8192..<12288))
        #expect(GuestAtomics.differingBitsPerWord(source, snapshot, bytes: 4096).allSatisfy { $0 == 0 })

        // Three bits differ in word 2, one in word 511.
        pages.setByte(16, pages.byte(16) ^ 0x07)
        pages.setByte(4095, pages.byte(4095) ^ 0x80)
        let differing = GuestAtomics.differingBitsPerWord(source, snapshot, bytes: 4096)
        #expect(differing.count == 512)
        #expect(differing[2] == 3)
        #expect(differing[511] == 1)
        #expect(differing.reduce(0, +) == 4)
    }
}
