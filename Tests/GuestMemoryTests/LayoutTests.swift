import GuestMemory
import Testing

/// Every offset and size of both guest ABIs, exactly as docs/model.md §2
/// (xen/include/public/xen.h, arch-x86/xen.h) gives them.
@Suite("Guest ABI layouts")
struct LayoutTests {
    @Test("raw values name the word size")
    func rawValues() {
        #expect(GuestABI.longMode.rawValue == "64")
        #expect(GuestABI.compat.rawValue == "32")
        #expect(GuestABI(rawValue: "64") == .longMode)
        #expect(GuestABI(rawValue: "32") == .compat)
        #expect(GuestABI(rawValue: "16") == nil)
        #expect(GuestABI.allCases == [.longMode, .compat])
        #expect(GuestABI.longMode.description == "64")
        #expect(GuestABI.compat.description == "32")
    }

    @Test("vcpu_info, 64-bit")
    func vcpuInfoLongMode() {
        let layout = GuestABI.longMode.vcpuInfo
        #expect(layout == .longMode)
        #expect(layout.size == 64)
        #expect(layout.upcallPendingOffset == 0x00)
        #expect(layout.upcallMaskOffset == 0x01)
        #expect(layout.pendingSelectorOffset == 0x08)
        #expect(layout.pendingSelectorBytes == 8)
        #expect(layout.archOffset == 0x10)
        #expect(layout.archBytes == 16)
        #expect(layout.timeOffset == 0x20)
        #expect(layout.timeBytes == 32)
    }

    @Test("vcpu_info, 32-bit compat")
    func vcpuInfoCompat() {
        let layout = GuestABI.compat.vcpuInfo
        #expect(layout == .compat)
        #expect(layout.size == 64)
        #expect(layout.upcallPendingOffset == 0x00)
        #expect(layout.upcallMaskOffset == 0x01)
        #expect(layout.pendingSelectorOffset == 0x04)
        #expect(layout.pendingSelectorBytes == 4)
        #expect(layout.archOffset == 0x08)
        #expect(layout.archBytes == 24)
        #expect(layout.timeOffset == 0x20)
        #expect(layout.timeBytes == 32)
    }

    @Test("vcpu_info fields tile the 64 bytes without overlap", arguments: GuestABI.allCases)
    func vcpuInfoFieldsTile(abi: GuestABI) {
        let layout = abi.vcpuInfo
        // Selector is naturally aligned and lies after the two flag bytes.
        #expect(layout.pendingSelectorOffset % layout.pendingSelectorBytes == 0)
        #expect(layout.pendingSelectorOffset >= layout.upcallMaskOffset + 1)
        #expect(layout.pendingSelectorOffset + layout.pendingSelectorBytes == layout.archOffset)
        #expect(layout.archOffset + layout.archBytes == layout.timeOffset)
        #expect(layout.timeOffset + layout.timeBytes == layout.size)
    }

    @Test("shared_info, 64-bit")
    func sharedInfoLongMode() {
        let layout = GuestABI.longMode.sharedInfo
        #expect(layout == .longMode)
        #expect(layout.vcpuInfoOffset == 0x000)
        #expect(layout.legacyVCPUSlots == 32)
        #expect(layout.pendingOffset == 0x800)
        #expect(layout.maskOffset == 0xA00)
        #expect(layout.wallClockVersionOffset == 0xC00)
        #expect(layout.wallClockSecondsOffset == 0xC04)
        #expect(layout.wallClockNanosecondsOffset == 0xC08)
        #expect(layout.wallClockSecondsHighOffset == 0xC0C)
        #expect(layout.size == 0xC40)
    }

    @Test("shared_info, 32-bit compat")
    func sharedInfoCompat() {
        let layout = GuestABI.compat.sharedInfo
        #expect(layout == .compat)
        #expect(layout.vcpuInfoOffset == 0x000)
        #expect(layout.legacyVCPUSlots == 32)
        #expect(layout.pendingOffset == 0x800)
        #expect(layout.maskOffset == 0x880)
        #expect(layout.wallClockVersionOffset == 0x900)
        #expect(layout.wallClockSecondsOffset == 0x904)
        #expect(layout.wallClockNanosecondsOffset == 0x908)
        #expect(layout.wallClockSecondsHighOffset == 0x924)
        #expect(layout.size == 0x928)
    }

    @Test("the two layouts are distinct values")
    func layoutsDiffer() {
        #expect(SharedInfoLayout.longMode != SharedInfoLayout.compat)
        #expect(VCPUInfoLayout.longMode != VCPUInfoLayout.compat)
        #expect(GuestABI.longMode.sharedInfo != GuestABI.compat.sharedInfo)
    }

    @Test("pending and mask bitmaps hold exactly portCount bits and fit in the struct", arguments: GuestABI.allCases)
    func bitmapsFit(abi: GuestABI) {
        let layout = abi.sharedInfo
        let bitmapBytes = abi.portCount / 8
        // vcpu_info[32] fills 0x000..<0x800.
        #expect(layout.vcpuInfoOffset + layout.legacyVCPUSlots * abi.vcpuInfo.size == layout.pendingOffset)
        #expect(layout.pendingOffset + bitmapBytes == layout.maskOffset)
        #expect(layout.maskOffset + bitmapBytes == layout.wallClockVersionOffset)
        #expect(layout.size <= 4096)
    }

    @Test("word size and port counts")
    func wordSizeAndPorts() {
        #expect(GuestABI.longMode.bitsPerWord == 64)
        #expect(GuestABI.compat.bitsPerWord == 32)
        #expect(GuestABI.longMode.portCount == 4096)
        #expect(GuestABI.compat.portCount == 1024)
    }

    @Test("selector bit of a port", arguments: [
        (GuestABI.longMode, 0, 0), (.longMode, 63, 0), (.longMode, 64, 1), (.longMode, 66, 1),
        (.longMode, 127, 1), (.longMode, 128, 2), (.longMode, 4095, 63),
        (.compat, 0, 0), (.compat, 31, 0), (.compat, 32, 1), (.compat, 66, 2),
        (.compat, 95, 2), (.compat, 96, 3), (.compat, 1023, 31),
    ])
    func selectorBit(abi: GuestABI, port: Int, expected: Int) {
        #expect(abi.selectorBit(ofPort: port) == expected)
    }

    @Test("the last port's selector bit is the selector's top bit", arguments: GuestABI.allCases)
    func lastSelectorBit(abi: GuestABI) {
        #expect(abi.selectorBit(ofPort: abi.portCount - 1) == abi.bitsPerWord - 1)
    }

    @Test("default vcpu_info slots", arguments: GuestABI.allCases)
    func defaultSlots(abi: GuestABI) {
        let layout = abi.sharedInfo
        for vcpu in 0..<32 {
            #expect(layout.defaultVCPUInfoOffset(vcpu: vcpu) == 64 * vcpu)
        }
        #expect(layout.defaultVCPUInfoOffset(vcpu: 1) == 0x40)
        #expect(layout.defaultVCPUInfoOffset(vcpu: 31) == 0x7C0)
        #expect(layout.defaultVCPUInfoOffset(vcpu: 32) == nil)
        #expect(layout.defaultVCPUInfoOffset(vcpu: 100) == nil)
        #expect(layout.defaultVCPUInfoOffset(vcpu: -1) == nil)
    }
}
