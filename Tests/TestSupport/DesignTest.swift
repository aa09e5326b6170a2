import GuestMemory
import LockDesigns
import PageCache

/// A test body generic over the lock type: the one way tests run a body per
/// design (a generic function cannot be a closure in Swift). `run` is
/// called with the design's concrete lock type, so the body is specialised
/// for it exactly as the runner's hot loop is.
public protocol DesignTest {
    associatedtype Outcome = Void
    func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws -> Outcome
}

extension LockDesign {
    /// Runs `test` with this design's lock type.
    public func run<Test: DesignTest>(_ test: Test) throws -> Test.Outcome {
        try visit(OpenDesign(test: test)).get()
    }

    /// Designs whose `readLock` excludes writers (every one but rcu, whose
    /// readers never wait, and nolock).
    public static let excluding: [LockDesign] = allCases.filter { $0 != .rcu && $0 != .nolock }
    /// Designs whose writers wait for readers to leave in `writeLock`.
    public static let writersWaitForReaders: [LockDesign] = allCases.filter { ![.rcu, .seqlock, .nolock].contains($0) }
    /// Designs whose `tryReadLock` really tries (the queued rwlock ones).
    public static let trying: [LockDesign] = [.rwlock, .rwlockTrylock, .rwlockTrydrop]
    /// Every design that must be safe.
    public static let safe: [LockDesign] = allCases.filter(\.isSafe)
}

private struct OpenDesign<Test: DesignTest>: LockDesignVisitor {
    let test: Test
    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) -> Result<Test.Outcome, any Error> {
        Result { try test.run(Lock.self, design: design) }
    }
}

/// Every design with every guest ABI, for design-independent properties.
public let designABICases: [(LockDesign, GuestABI)] = LockDesign.allCases.flatMap { d in GuestABI.allCases.map { (d, $0) } }

/// Every safe design with every guest ABI.
public let safeDesignABICases: [(LockDesign, GuestABI)] = LockDesign.safe.flatMap { d in GuestABI.allCases.map { (d, $0) } }

/// One lock of a design at a stable heap address, shared between threads.
public final class LockBox<Lock: ReadMostlyLock & ~Copyable>: Sendable {
    public let lock: Lock
    public init(readers: Int) { lock = Lock(readerCapacity: readers) }
}
