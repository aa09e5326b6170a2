/// A zero-filled, page-aligned buffer that tests do raw guest-memory
/// operations on (GuestAtomics requires page-aligned frames).
public final class PageBuffer: @unchecked Sendable {
    public let base: UnsafeMutableRawPointer
    public let byteCount: Int

    public init(pages: Int = 1) {
        byteCount = 4096 * pages
        base = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 4096)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    deinit { base.deallocate() }

    /// Plain byte read (single-threaded checks only).
    public func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

    /// Plain byte write (single-threaded set-up only).
    public func setByte(_ offset: Int, _ value: UInt8) { base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self) }

    /// Bytes `range` as an array (single-threaded checks only).
    public func bytes(_ range: Range<Int>) -> [UInt8] { range.map(byte) }
}
