/// The lost-event account of a run (docs/model.md §9).
///
/// Every 0 -> 1 change of a pending bit that a sender made (delivered or
/// masked) must be signalled when the threads stop (`unsignalled` counts
/// those that were not: pending and unmasked, with no selector bit or no
/// upcall) and then cleared by the guest's handler exactly once in the
/// final drain and unmask. Dropped events never set a bit and are counted
/// apart, never hidden. Each lost event counts once: an unsignalled one is
/// not also "set, never handled" (`handled` excludes any the drain found
/// anyway).
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
    /// Handled events, not counting unsignalled ones the drain found.
    public var handled: Int
    /// Pending, unmasked, and not signalled when the threads stopped.
    public var unsignalled: Int
    /// Bits changed in retired frames' pending bitmaps after their copy.
    public var stalePendingBits: Int
    /// shared_info sections replayed.
    public var replays: Int
    /// Sends that may have been coalesces (replaying designs only).
    public var carriedSends: Int
    /// Whether the design replays (then stale bits are not losses per se).
    public var designReplays: Bool

    public init(newlySet: Int, handled: Int, unsignalled: Int = 0, stalePendingBits: Int, replays: Int,
                carriedSends: Int = 0, designReplays: Bool) {
        self.newlySet = newlySet
        self.handled = handled
        self.unsignalled = unsignalled
        self.stalePendingBits = stalePendingBits
        self.replays = replays
        self.carriedSends = carriedSends
        self.designReplays = designReplays
    }

    /// Unsignalled events, events set but never handled (and not among
    /// the unsignalled), plus stale writes no replay covered.
    public var lost: Int {
        let unhandled = max(0, newlySet - (designReplays ? carriedSends : 0) - handled - unsignalled)
        let uncovered = designReplays ? max(0, stalePendingBits - replays) : 0
        return unsignalled + unhandled + uncovered
    }

    /// Events handled more often than set (replay duplicates).
    public var duplicates: Int { max(0, handled - newlySet) }
}
