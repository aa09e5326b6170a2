/// Bytes per padded slot: two cache lines, so adjacent-line prefetch on x86
/// does not bring false sharing back (as in ck and liburcu).
public let cacheLinePairBytes = 128

/// Allocates one `T` alone on its own pair of cache lines (128-byte
/// aligned, size rounded up to 128), uninitialised. For small objects that
/// threads write on hot paths (a kick counter, a pthread lock): a plain
/// heap chunk of a few bytes can share a line with another thread's hot
/// data, and the false sharing would be charged to whichever design's
/// heap happened to put them together. Free with `deallocate()`.
public func allocateOnOwnLines<T>(_ type: T.Type) -> UnsafeMutablePointer<T> {
    let bytes = (MemoryLayout<T>.stride + cacheLinePairBytes - 1) / cacheLinePairBytes * cacheLinePairBytes
    return UnsafeMutableRawPointer.allocate(byteCount: max(bytes, cacheLinePairBytes), alignment: cacheLinePairBytes)
        .bindMemory(to: T.self, capacity: 1)
}

/// A fixed-size array of (possibly noncopyable) elements, each on its own
/// 128-byte-aligned slot, at a stable address. Per-thread counters, reader
/// indicators and per-vCPU state live here, so that no two threads write the
/// same cache line by accident.
public final class PaddedBuffer<Element: ~Copyable>: @unchecked Sendable {
    public let count: Int
    /// Bytes from one element to the next: a multiple of 128, fixed by the
    /// element type (a constant once specialised, so indexing is a shift).
    @inlinable public static var stride: Int {
        max(cacheLinePairBytes, (MemoryLayout<Element>.stride + cacheLinePairBytes - 1) / cacheLinePairBytes * cacheLinePairBytes)
    }
    @usableFromInline let base: UnsafeMutableRawPointer

    /// Creates `count` elements with `make(index)`.
    public init(count: Int, _ make: (Int) -> Element) {
        precondition(count >= 0, "negative element count")
        self.count = count
        self.base = UnsafeMutableRawPointer.allocate(byteCount: max(1, Self.stride * count), alignment: cacheLinePairBytes)
        for index in 0..<count {
            // Each slot is fresh, aligned for Element, and written exactly once.
            (base + index * Self.stride).bindMemory(to: Element.self, capacity: 1).initialize(to: make(index))
        }
    }

    /// The element at `index`. Valid for the buffer's lifetime; elements are
    /// shared between threads, so they must synchronise internally (atomics).
    @inlinable @inline(__always)
    public func pointer(at index: Int) -> UnsafeMutablePointer<Element> {
        slots.pointer(at: index)
    }

    /// The slots' addresses, as a value: a lock that owns the buffer and
    /// keeps this beside it finds a slot with one add, not a load of the
    /// buffer and then of its base (the read sides of rcu and percpu).
    @inlinable
    public var slots: PaddedSlots<Element> { PaddedSlots(base: base, count: count) }

    deinit {
        for index in 0..<count {
            _ = pointer(at: index).deinitialize(count: 1)
        }
        base.deallocate()
    }
}

/// The slots of a `PaddedBuffer` (which must outlive this view).
public struct PaddedSlots<Element: ~Copyable>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutableRawPointer
    public let count: Int

    @inlinable
    init(base: UnsafeMutableRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable @inline(__always)
    public func pointer(at index: Int) -> UnsafeMutablePointer<Element> {
        assert(index >= 0 && index < count, "index out of range")
        // Slots were bound to Element in the buffer's init and are never
        // rebound.
        return (base + index &* PaddedBuffer<Element>.stride).assumingMemoryBound(to: Element.self)
    }
}
