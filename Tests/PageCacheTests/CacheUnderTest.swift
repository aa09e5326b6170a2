import GuestMemory
import PageCache

/// The verbs of a GfnPfnCache of any design, for test bodies that are
/// closures (a closure cannot be generic over the lock type).
protocol CacheUnderTest {
    func check(length: Int) -> UnsafeMutableRawPointer?
    func activate(guestFrame: Int, offset: Int) -> GfnPfnCacheRefreshResult
    func refresh() -> GfnPfnCacheRefreshResult
    func invalidate(guestFrame: Int)
    func deactivate()
    func forceWouldBlock(_ on: Bool)
    var isActive: Bool { get }
    var isValid: Bool { get }
    var isForcedWouldBlock: Bool { get }
    var mappedGuestFrame: Int? { get }
    var mappedOffset: Int { get }
}

/// RefreshResult without the lock type (it does not depend on it).
enum GfnPfnCacheRefreshResult: Equatable {
    case refreshed, inactive
}

/// One cache at a stable address.
final class CacheBox<Lock: ReadMostlyLock & ~Copyable>: CacheUnderTest {
    let cache: GfnPfnCache<Lock>
    init(memory: GuestMemory) { cache = GfnPfnCache<Lock>(memory: memory, readerCapacity: 2) }

    /// The mapped address when `check` passes, else nil.
    func check(length: Int) -> UnsafeMutableRawPointer? { cache.check(length: length) ? cache.mappedAddress : nil }
    func activate(guestFrame: Int, offset: Int) -> GfnPfnCacheRefreshResult {
        Self.plain(cache.activate(guestFrame: guestFrame, offset: offset))
    }
    func refresh() -> GfnPfnCacheRefreshResult { Self.plain(cache.refresh()) }
    func invalidate(guestFrame: Int) { cache.invalidate(guestFrame: guestFrame) }
    func deactivate() { cache.deactivate() }
    func forceWouldBlock(_ on: Bool) { cache.forceWouldBlock(on) }
    var isActive: Bool { cache.isActive }
    var isValid: Bool { cache.isValid }
    var isForcedWouldBlock: Bool { cache.isForcedWouldBlock }
    var mappedGuestFrame: Int? { cache.mappedGuestFrame }
    var mappedOffset: Int { cache.mappedOffset }

    private static func plain(_ result: GfnPfnCache<Lock>.RefreshResult) -> GfnPfnCacheRefreshResult {
        result == .refreshed ? .refreshed : .inactive
    }
}
