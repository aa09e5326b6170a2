import Platform
import Synchronization
import Testing

/// A zero-filled, page-aligned buffer that tests do raw guest-memory
/// operations on (GuestAtomics requires page-aligned frames).
final class PageBuffer: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    init(pages: Int = 1) {
        byteCount = 4096 * pages
        base = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 4096)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    deinit { base.deallocate() }

    /// Plain byte read (single-threaded checks only).
    func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

    /// Plain byte write (single-threaded set-up only).
    func setByte(_ offset: Int, _ value: UInt8) { base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self) }

    /// Bytes `range` as an array (single-threaded checks only).
    func bytes(_ range: Range<Int>) -> [UInt8] { range.map(byte) }
}

/// Runs `body(index)` on `count` host threads at once and joins them all.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) throws {
    let threads = try (0..<count).map { index in try HostThread.spawn { body(index) } }
    for thread in threads { thread.join() }
}

/// A deadline `seconds` from now, for bounding stress loops (never asserted on).
struct Deadline {
    let end: UInt64
    init(seconds: Double) { end = monotonicNanoseconds() + UInt64(seconds * 1e9) }
    var passed: Bool { monotonicNanoseconds() >= end }
}

/// A shared atomic counter.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ amount: Int = 1) { count.wrappingAdd(amount, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
