import GuestMemory

/// The layout constants of one guest ABI that delivery and the guest's
/// handler use.
///
/// The hot paths do not read them from memory: like KVM's
/// `kvm_xen_set_evtchn_fast`, which branches on `long_mode` and then uses
/// the compile-time offsets of `struct shared_info` or
/// `struct compat_shared_info`, a send branches once on the domain's ABI
/// and runs a copy of the path built with `GuestLayout.longMode` or
/// `GuestLayout.compat`, whose values are literals that the compiler folds
/// into the instructions. `init(_:)` derives the same values from
/// `GuestABI`'s tables; a test checks that both agree.
public struct GuestLayout: Sendable, Equatable {
    public let pendingOffset: Int
    public let maskOffset: Int
    /// `evtchn_pending_sel`: its offset and size in bytes...
    public let selectorOffset: Int
    public let selectorBytes: Int
    /// ...and, for bit operations, the 8-aligned word that holds it and the
    /// number of its bit 0 in that word (32 for a compat guest's selector
    /// at offset 4, 0 otherwise).
    public let selectorWordOffset: Int
    public let selectorFirstBit: Int
    /// log2 of the bits in one `xen_ulong_t`.
    public let wordShift: Int
    public let portCount: Int
    public let sharedInfoSize: Int
    public let vcpuInfoSize: Int

    public init(_ abi: GuestABI) {
        self.init(pendingOffset: abi.sharedInfo.pendingOffset, maskOffset: abi.sharedInfo.maskOffset,
                  selectorOffset: abi.vcpuInfo.pendingSelectorOffset, selectorBytes: abi.vcpuInfo.pendingSelectorBytes,
                  wordShift: abi.bitsPerWord.trailingZeroBitCount, sharedInfoSize: abi.sharedInfo.size)
    }

    /// The derived fields (the selector's word and first bit, the port
    /// count, the 64-byte vcpu_info) follow from these in both ABIs.
    @inlinable @inline(__always)
    init(pendingOffset: Int, maskOffset: Int, selectorOffset: Int, selectorBytes: Int, wordShift: Int,
         sharedInfoSize: Int) {
        self.pendingOffset = pendingOffset
        self.maskOffset = maskOffset
        self.selectorOffset = selectorOffset
        self.selectorBytes = selectorBytes
        selectorWordOffset = selectorOffset & ~7
        selectorFirstBit = (selectorOffset & 7) * 8
        self.wordShift = wordShift
        portCount = 1 << (2 * wordShift)
        self.sharedInfoSize = sharedInfoSize
        vcpuInfoSize = 64
    }

    /// A 64-bit guest's layout as literals (xen.h, arch-x86/xen.h).
    @inlinable
    public static var longMode: GuestLayout {
        @inline(__always) get {
            GuestLayout(pendingOffset: 0x800, maskOffset: 0xA00, selectorOffset: 0x08, selectorBytes: 8,
                        wordShift: 6, sharedInfoSize: 0xC40)
        }
    }

    /// A 32-bit (compat) guest's layout as literals (compat/xen.h).
    @inlinable
    public static var compat: GuestLayout {
        @inline(__always) get {
            GuestLayout(pendingOffset: 0x800, maskOffset: 0x880, selectorOffset: 0x04, selectorBytes: 4,
                        wordShift: 5, sharedInfoSize: 0x928)
        }
    }

    /// Bits in one `xen_ulong_t`, as a mask of that many low bits.
    @inlinable public var wordMask: UInt64 { wordShift == 6 ? .max : 0xFFFF_FFFF }
}
