/// The two x86 guest ABIs of Xen's `shared_info` and `vcpu_info`
/// (xen/include/public/xen.h, arch-x86/xen.h). A 32-bit (compat) guest uses
/// 32-bit `xen_ulong_t` words, so its selector is 4 bytes at offset 4, its
/// `evtchn_mask` starts at 0x880 and it has 1024 ports; a 64-bit guest has
/// 8-byte words and 4096 ports.
///
/// Bitmaps are little-endian in both modes, so port `p` is bit `p` of the
/// bitmap that starts at `pendingOffset`, and selector bit `w` is bit `w` of
/// the field at `pendingSelectorOffset`, whatever the word size. That is
/// what lets `GuestAtomics` serve both ABIs with 64-bit operations.
public enum GuestABI: String, CaseIterable, Sendable, CustomStringConvertible {
    /// 64-bit (long mode) guest.
    case longMode = "64"
    /// 32-bit (compat) guest.
    case compat = "32"

    public var description: String { rawValue }

    public var sharedInfo: SharedInfoLayout {
        switch self {
        case .longMode: .longMode
        case .compat: .compat
        }
    }

    public var vcpuInfo: VCPUInfoLayout {
        switch self {
        case .longMode: .longMode
        case .compat: .compat
        }
    }

    /// Bits in one `xen_ulong_t`: 64 or 32.
    public var bitsPerWord: Int { vcpuInfo.pendingSelectorBytes * 8 }

    /// Ports of the 2-level ABI: bitsPerWord * bitsPerWord (4096 or 1024).
    public var portCount: Int { bitsPerWord * bitsPerWord }

    /// Selector bit (= index of the pending word) that covers `port`.
    @inlinable
    public func selectorBit(ofPort port: Int) -> Int { port / bitsPerWord }
}

/// Byte offsets inside `struct vcpu_info` (64 bytes in both ABIs).
public struct VCPUInfoLayout: Equatable, Sendable {
    public let size = 64
    public let upcallPendingOffset = 0x00
    public let upcallMaskOffset = 0x01
    public let pendingSelectorOffset: Int
    public let pendingSelectorBytes: Int
    public let archOffset: Int
    public let archBytes: Int
    public let timeOffset = 0x20
    public let timeBytes = 32

    public static let longMode = VCPUInfoLayout(
        pendingSelectorOffset: 0x08, pendingSelectorBytes: 8, archOffset: 0x10, archBytes: 16)
    public static let compat = VCPUInfoLayout(
        pendingSelectorOffset: 0x04, pendingSelectorBytes: 4, archOffset: 0x08, archBytes: 24)
}

/// Byte offsets inside `struct shared_info`.
public struct SharedInfoLayout: Equatable, Sendable {
    /// MAX_VIRT_CPUS: vCPUs with a default vcpu_info slot in shared_info.
    public let legacyVCPUSlots = 32
    public let vcpuInfoOffset = 0x000
    public let pendingOffset = 0x800
    public let maskOffset: Int
    public let wallClockVersionOffset: Int
    public let wallClockSecondsOffset: Int
    public let wallClockNanosecondsOffset: Int
    public let wallClockSecondsHighOffset: Int
    public let size: Int

    public static let longMode = SharedInfoLayout(
        maskOffset: 0xA00, wallClockVersionOffset: 0xC00, wallClockSecondsOffset: 0xC04,
        wallClockNanosecondsOffset: 0xC08, wallClockSecondsHighOffset: 0xC0C, size: 0xC40)
    public static let compat = SharedInfoLayout(
        maskOffset: 0x880, wallClockVersionOffset: 0x900, wallClockSecondsOffset: 0x904,
        wallClockNanosecondsOffset: 0x908, wallClockSecondsHighOffset: 0x924, size: 0x928)

    /// Offset of vCPU `vcpu`'s default vcpu_info slot (valid for vcpu < 32).
    public func defaultVCPUInfoOffset(vcpu: Int) -> Int? {
        guard vcpu >= 0, vcpu < legacyVCPUSlots else { return nil }
        return vcpuInfoOffset + 64 * vcpu
    }
}
