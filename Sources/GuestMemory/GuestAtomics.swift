import Platform
import Synchronization

/// The one audited place where the model does atomic operations on bytes of
/// guest memory (raw page frames).
///
/// Every operation works on the naturally aligned 64-bit word that holds the
/// bits in question. Xen bitmaps are little-endian in both ABIs, so a 64-bit
/// operation on the containing word changes exactly the same bits a 32-bit
/// guest's 32-bit operation would, and leaves its neighbours (for example the
/// upcall byte beside a compat selector) untouched.
///
/// Orderings are fixed per operation (Swift wants them as constants) and
/// chosen for the protocol of docs/model.md §6:
/// - bit set/clear/test on pending and mask bits are sequentially
///   consistent: the sender's "set pending, then test mask" and the guest's
///   "clear mask, then test pending" (unmask) are a store-load pair that
///   needs a single total order, as do an optimistic (seqlock) writer's bit
///   write and the host's copy of the page;
/// - selector updates (or, take) are acquire-release: a sender's selector
///   RMW that reads the guest's clearing exchange synchronises with it, so
///   the guest's earlier `upcall_pending = 0` is ordered before the sender's
///   later `upcall_pending = 1` and the guest loops again;
/// - the upcall byte is stored with release (after the selector) and loaded
///   with acquire (before the guest's next exchange).
public enum GuestAtomics {
    /// The word holding bit `bit` of the little-endian bitmap at `bitmap`
    /// (8-byte aligned), and that bit's index (0-63) within it. Written as
    /// the kernel's bitops are (word = bit / 64, index = bit % 64), so that
    /// LLVM turns a test-and-set into `lock bts`.
    @inlinable @inline(__always)
    static func locate(_ bitmap: UnsafeMutableRawPointer, _ bit: Int)
        -> (word: UnsafeMutablePointer<Atomic<UInt64>>, index: UInt64)
    {
        assert(UInt(bitPattern: bitmap) & 7 == 0, "bitmap not 8-byte aligned")
        // Every bitmap lies inside a page-aligned guest frame (or a
        // 128-byte-aligned host allocation) at an 8-aligned offset;
        // Atomic<UInt64> has UInt64's layout.
        let word = (bitmap + (bit &>> 6) &* 8).assumingMemoryBound(to: Atomic<UInt64>.self)
        return (word, UInt64(truncatingIfNeeded: bit & 63))
    }

    /// The aligned word holding the `byteCount`-byte field at `field`, and
    /// the field's bit shift within it (32 for a compat selector at offset 4).
    @inlinable @inline(__always)
    static func locateField(_ field: UnsafeMutableRawPointer) -> (word: UnsafeMutablePointer<Atomic<UInt64>>, shift: UInt64) {
        let misalignment = Int(bitPattern: UInt(bitPattern: field) & 7)
        // As in `locate`: the aligned word is inside the same frame.
        let word = (field - misalignment).assumingMemoryBound(to: Atomic<UInt64>.self)
        return (word, UInt64(truncatingIfNeeded: misalignment &* 8))
    }

    /// Atomically sets bit `bit`; true if it was already set (`lock bts`).
    @inlinable @inline(__always)
    public static func testAndSetBit(_ bitmap: UnsafeMutableRawPointer, _ bit: Int) -> Bool {
        let (word, index) = locate(bitmap, bit)
        let mask = UInt64(1) &<< index
        return word.pointee.bitwiseOr(mask, ordering: .sequentiallyConsistent).oldValue & mask != 0
    }

    /// Atomically clears bit `bit`; true if it was set (`lock btr`, through
    /// Platform's `atomicTestAndClearBit`: written as a fetch-and here, it
    /// became a cmpxchg loop in the guest's handler). Sequentially
    /// consistent, like the other bit operations.
    @inlinable @inline(__always)
    public static func testAndClearBit(_ bitmap: UnsafeMutableRawPointer, _ bit: Int) -> Bool {
        let (word, index) = locate(bitmap, bit)
        return atomicTestAndClearBit(UnsafeMutableRawPointer(word), index)
    }

    /// Reads bit `bit`.
    @inlinable @inline(__always)
    public static func testBit(_ bitmap: UnsafeMutableRawPointer, _ bit: Int) -> Bool {
        let (word, index) = locate(bitmap, bit)
        return (word.pointee.load(ordering: .sequentiallyConsistent) &>> index) & 1 != 0
    }

    /// Reads `count` (32 or 64) bits starting at bit `first` (a multiple of
    /// `count`), as one value with bit 0 = bit `first`.
    @inlinable @inline(__always)
    public static func loadBits(_ bitmap: UnsafeMutableRawPointer, first: Int, count: Int) -> UInt64 {
        assert(count == 32 || count == 64, "a field is 32 or 64 bits")
        let (word, shift) = locate(bitmap, first)
        let value = word.pointee.load(ordering: .acquiring) &>> shift
        return count == 64 ? value : value & 0xFFFF_FFFF
    }

    /// The 64-bit word of the bitmap at `bitmap` that holds bit `first`,
    /// shifted so that bit `first` is bit 0 (the caller masks the width).
    @inlinable @inline(__always)
    public static func loadWord(_ bitmap: UnsafeMutableRawPointer, from first: Int) -> UInt64 {
        let (word, shift) = locate(bitmap, first)
        return word.pointee.load(ordering: .acquiring) &>> shift
    }

    /// Atomically ORs `bits` into the `byteCount`-byte field at `field`.
    @inlinable @inline(__always)
    public static func orField(_ field: UnsafeMutableRawPointer, byteCount: Int, _ bits: UInt64) {
        let (word, shift) = locateField(field)
        assert(byteCount == 8 || bits >> 32 == 0, "bits outside a 4-byte field")
        _ = word.pointee.bitwiseOr(bits &<< shift, ordering: .acquiringAndReleasing)
    }

    /// Atomically reads the `byteCount`-byte field at `field` and sets it to
    /// zero (`takeBits` on the aligned word that holds it).
    @inlinable @inline(__always)
    public static func takeField(_ field: UnsafeMutableRawPointer, byteCount: Int) -> UInt64 {
        let (word, shift) = locateField(field)
        return takeBits(UnsafeMutableRawPointer(word), first: Int(shift), count: byteCount * 8)
    }

    /// Atomically reads the `count` (32 or 64) bits from bit `first` of the
    /// 8-aligned word at `word` and sets them to zero (`xchg` for 64 bits;
    /// for 32 an atomic and, which reads and clears exactly those bits).
    @inlinable @inline(__always)
    public static func takeBits(_ word: UnsafeMutableRawPointer, first: Int, count: Int) -> UInt64 {
        assert(count == 64 ? first == 0 : count == 32 && (first == 0 || first == 32), "a field is 32 or 64 bits")
        let atomic = word.assumingMemoryBound(to: Atomic<UInt64>.self)
        if count == 64 { return atomic.pointee.exchange(0, ordering: .acquiringAndReleasing) }
        let fieldMask: UInt64 = 0xFFFF_FFFF &<< UInt64(truncatingIfNeeded: first)
        return (atomic.pointee.bitwiseAnd(~fieldMask, ordering: .acquiringAndReleasing).oldValue & fieldMask)
            &>> UInt64(truncatingIfNeeded: first)
    }

    /// Stores one byte (the upcall flags).
    @inlinable @inline(__always)
    public static func storeByte(_ byte: UnsafeMutableRawPointer, _ value: UInt8) {
        byte.assumingMemoryBound(to: Atomic<UInt8>.self).pointee.store(value, ordering: .releasing)
    }

    /// Loads one byte.
    @inlinable @inline(__always)
    public static func loadByte(_ byte: UnsafeMutableRawPointer) -> UInt8 {
        byte.assumingMemoryBound(to: Atomic<UInt8>.self).pointee.load(ordering: .acquiring)
    }

    /// Copies a page word by word with relaxed atomic accesses, writing the
    /// same values to `copy` and `snapshot`, and returns nothing else: the
    /// snapshot is exactly what the copy carried, so any later difference
    /// between `source` and `snapshot` is a write that the copy missed.
    public static func copyPage(from source: UnsafeMutableRawPointer, to copy: UnsafeMutableRawPointer,
                                snapshot: UnsafeMutableRawPointer, bytes: Int) {
        let words = bytes / 8
        let from = source.assumingMemoryBound(to: Atomic<UInt64>.self)
        let to = copy.assumingMemoryBound(to: Atomic<UInt64>.self)
        let snap = snapshot.assumingMemoryBound(to: Atomic<UInt64>.self)
        for index in 0..<words {
            // Relaxed: the migration's seq_cst fence before the copy (see
            // GuestMemory.migrate) orders it after the invalidation.
            let value = from[index].load(ordering: .relaxed)
            to[index].store(value, ordering: .relaxed)
            snap[index].store(value, ordering: .relaxed)
        }
    }

    /// Copies `bytes` (a multiple of 8) word by word with relaxed atomic
    /// accesses, so concurrent atomic writers see whole words.
    public static func copyWords(from source: UnsafeMutableRawPointer, to target: UnsafeMutableRawPointer, bytes: Int) {
        let from = source.assumingMemoryBound(to: Atomic<UInt64>.self)
        let to = target.assumingMemoryBound(to: Atomic<UInt64>.self)
        for index in 0..<(bytes / 8) {
            to[index].store(from[index].load(ordering: .relaxed), ordering: .relaxed)
        }
    }

    /// Zeroes `bytes` (a multiple of 8) word by word (relaxed atomics).
    public static func zeroWords(_ target: UnsafeMutableRawPointer, bytes: Int) {
        let words = target.assumingMemoryBound(to: Atomic<UInt64>.self)
        for index in 0..<(bytes / 8) { words[index].store(0, ordering: .relaxed) }
    }

    /// For each 64-bit word, how many bits differ between two pages (relaxed
    /// reads; called only for frames no thread should be writing).
    public static func differingBitsPerWord(_ a: UnsafeMutableRawPointer, _ b: UnsafeMutableRawPointer, bytes: Int) -> [Int] {
        let left = a.assumingMemoryBound(to: Atomic<UInt64>.self)
        let right = b.assumingMemoryBound(to: Atomic<UInt64>.self)
        return (0..<(bytes / 8)).map { index in
            (left[index].load(ordering: .relaxed) ^ right[index].load(ordering: .relaxed)).nonzeroBitCount
        }
    }
}
