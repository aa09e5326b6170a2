import CNuma

/// Page-aligned memory placed through libnuma when the kernel supports NUMA
/// policy, with a plain aligned allocation as the fallback.
public enum NUMA {
    /// Whether libnuma works on this machine (numa_available() >= 0). When it
    /// does not, allocations fall back to ordinary memory on whatever node
    /// the kernel chooses, and the runner reports that.
    public static var isAvailable: Bool { numa_available() >= 0 }

    /// Where guest memory should live.
    public enum Placement: Equatable, Sendable {
        case local
        case node(Int)
        case interleave
    }

    /// A page-aligned, zero-filled allocation of `byteCount` bytes.
    public struct Allocation: @unchecked Sendable {
        public let base: UnsafeMutableRawPointer
        public let byteCount: Int
        public let viaLibnuma: Bool
    }

    public static func allocate(byteCount: Int, placement: Placement) throws(SystemError) -> Allocation {
        precondition(byteCount > 0, "empty allocation")
        if isAvailable, let raw = numaAllocate(byteCount, placement) {
            // libnuma maps fresh anonymous pages: zero-filled, page-aligned.
            raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
            return Allocation(base: raw, byteCount: byteCount, viaLibnuma: true)
        }
        if case .node(let node) = placement, isAvailable {
            throw SystemError("numa_alloc_onnode(node \(node))", code: 12 /* ENOMEM */)
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 4096)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        return Allocation(base: raw, byteCount: byteCount, viaLibnuma: false)
    }

    public static func free(_ allocation: Allocation) {
        if allocation.viaLibnuma {
            numa_free(allocation.base, allocation.byteCount)
        } else {
            allocation.base.deallocate()
        }
    }

    private static func numaAllocate(_ bytes: Int, _ placement: Placement) -> UnsafeMutableRawPointer? {
        switch placement {
        case .local: return numa_alloc_local(bytes)
        case .node(let node): return numa_alloc_onnode(bytes, Int32(node))
        case .interleave: return numa_alloc_interleaved(bytes)
        }
    }

    /// The node holding the page at `address` (get_mempolicy with
    /// MPOL_F_NODE | MPOL_F_ADDR), or nil when the kernel won't tell.
    public static func nodeOfPage(at address: UnsafeRawPointer) -> Int? {
        guard isAvailable else { return nil }
        var node: Int32 = -1
        let flags = UInt32(MPOL_F_NODE | MPOL_F_ADDR)
        let rc = get_mempolicy(&node, nil, 0, UnsafeMutableRawPointer(mutating: address), flags)
        return rc == 0 && node >= 0 ? Int(node) : nil
    }
}
