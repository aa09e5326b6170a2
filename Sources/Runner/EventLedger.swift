/// The lost-event account of a run (docs/model.md §9).
///
/// Every 0 -> 1 change of a pending bit that a sender made (delivered or
/// masked) must be cleared by the guest's handler exactly once after the
/// final drain and unmask. Dropped events never set a bit and are counted
/// apart, never hidden.
///
/// - Designs that never replay: a bit set through the live mapping is
///   handled exactly once and one set through a stale mapping never is, so
///   `lost = newlySet - handled` is exact.
/// - Designs that replay (seqlock) may make one send visible twice, and a
///   duplicate can hide a loss in that count. So stale writes are observed
///   directly too: every pending bit found changed in a retired frame after
///   its copy must be matched by a replay of a shared_info section. Misses
///   are losses; surplus handled events are duplicates, counted and allowed.
///   And a send that set its bit only through the moved mapping, finding it
///   set on replay (`carriedSends`), may be a real event carried by the copy
///   or a coalesce with another sender: the plain count gives it the benefit
///   of the doubt, while the stale-bit check still sees it directly.
public struct EventLedger: Sendable, Equatable {
    public var newlySet: Int
    public var handled: Int
    /// Bits changed in retired frames' pending bitmaps after their copy.
    public var stalePendingBits: Int
    /// shared_info sections replayed.
    public var replays: Int
    /// Sends that may have been coalesces (replaying designs only).
    public var carriedSends: Int
    /// Whether the design replays (then stale bits are not losses per se).
    public var designReplays: Bool

    public init(newlySet: Int, handled: Int, stalePendingBits: Int, replays: Int, carriedSends: Int = 0,
                designReplays: Bool) {
        self.newlySet = newlySet
        self.handled = handled
        self.stalePendingBits = stalePendingBits
        self.replays = replays
        self.carriedSends = carriedSends
        self.designReplays = designReplays
    }

    /// Events set but never handled, plus stale writes no replay covered.
    public var lost: Int {
        let unhandled = max(0, newlySet - (designReplays ? carriedSends : 0) - handled)
        let uncovered = designReplays ? max(0, stalePendingBits - replays) : 0
        return unhandled + uncovered
    }

    /// Events handled more often than set (replay duplicates).
    public var duplicates: Int { max(0, handled - newlySet) }
}
