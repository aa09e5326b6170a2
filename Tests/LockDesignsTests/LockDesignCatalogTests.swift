import LockDesigns
import PageCache
import TestSupport
import Testing

/// What `visit` (through `LockDesign.run`) hands over for a design.
struct DesignTraits: Equatable {
    let design: LockDesign
    let typeName: String
    let contentionPolicy: ContentionPolicy
    let replaysStaleWrites: Bool
}

struct TraitsProbe: DesignTest {
    func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) -> DesignTraits {
        // A noncopyable metatype is not an Any.Type; name it through a
        // copyable wrapper and strip the wrapper: "TestSupport.LockBox<X>".
        let boxed = _typeName(LockBox<Lock>.self, qualified: true)
        let typeName = String(boxed.drop { $0 != "<" }.dropFirst().dropLast())
        return DesignTraits(design: design, typeName: typeName,
                     contentionPolicy: Lock.contentionPolicy, replaysStaleWrites: Lock.replaysStaleWrites)
    }
}

@Suite("LockDesign catalogue")
struct LockDesignCatalogTests {
    @Test("nine designs with exactly these names, in this order")
    func names() {
        #expect(LockDesign.allCases.map(\.rawValue) == [
            "rwlock", "rwlock-trylock", "rwlock-trydrop", "pthread-rwlock", "mutex", "seqlock", "rcu", "percpu", "nolock",
        ])
        #expect(LockDesign.allCases.map(\.description) == LockDesign.allCases.map(\.rawValue))
    }

    @Test("every design has a summary and an origin", arguments: LockDesign.allCases)
    func summaryAndOrigin(design: LockDesign) {
        #expect(design.summary.contains { !$0.isWhitespace })
        #expect(design.origin.contains { !$0.isWhitespace })
    }

    @Test("summaries are distinct")
    func distinctSummaries() {
        #expect(Set(LockDesign.allCases.map(\.summary)).count == LockDesign.allCases.count)
    }

    @Test("only nolock is unsafe", arguments: LockDesign.allCases)
    func safety(design: LockDesign) {
        #expect(design.isSafe == (design != .nolock))
    }

    @Test("parseList(\"all\") is every design in order")
    func parseAll() throws {
        #expect(try LockDesign.parseList("all") == LockDesign.allCases)
    }

    @Test("parseList of names, with spaces and duplicates")
    func parseNames() throws {
        #expect(try LockDesign.parseList("rwlock,seqlock") == [.rwlock, .seqlock])
        #expect(try LockDesign.parseList("seqlock,rwlock") == [.seqlock, .rwlock])
        #expect(try LockDesign.parseList("rcu") == [.rcu])
        #expect(try LockDesign.parseList("rwlock, rwlock-trylock ,percpu") == [.rwlock, .rwlockTrylock, .percpu])
        #expect(try LockDesign.parseList("mutex,rcu,mutex,rcu,mutex") == [.mutex, .rcu])
    }

    @Test("every name round-trips through parseList", arguments: LockDesign.allCases)
    func parseEachName(design: LockDesign) throws {
        #expect(try LockDesign.parseList(design.rawValue) == [design])
    }

    @Test("an unknown name throws an error naming it", arguments: [
        ("spinlock", "spinlock"), ("rwlock,bogus", "bogus"), ("RWLOCK", "RWLOCK"), ("seqlock, qspin ,rcu", "qspin"),
    ])
    func parseUnknown(text: String, bad: String) {
        let error = #expect(throws: DesignListError.self) { try LockDesign.parseList(text) }
        #expect(error?.name == bad)
        #expect(error?.description.contains("'\(bad)'") == true)
        // The message lists what is known.
        #expect(error?.description.contains("rwlock-trydrop") == true)
    }

    @Test("an empty list throws")
    func parseEmpty() {
        let error = #expect(throws: DesignListError.self) { try LockDesign.parseList("") }
        #expect(error?.name == "")
        #expect(throws: DesignListError.self) { try LockDesign.parseList(",") }
        #expect(throws: DesignListError.self) { try LockDesign.parseList("rwlock,") }
    }

    @Test("visit hands each design a distinct lock type")
    func distinctTypes() throws {
        let traits = try LockDesign.allCases.map { try $0.run(TraitsProbe()) }
        #expect(traits.map(\.design) == LockDesign.allCases)
        #expect(Set(traits.map(\.typeName)).count == LockDesign.allCases.count, "\(traits.map(\.typeName))")
    }

    @Test("visit hands over the expected concrete types")
    func concreteTypes() throws {
        func name(_ design: LockDesign) throws -> String { try design.run(TraitsProbe()).typeName }
        #expect(try name(.rwlock).contains("QueuedRWLock"))
        #expect(try name(.rwlock).contains("WaitingReaders"))
        #expect(try name(.rwlockTrylock).contains("TrylockOrSlowPath"))
        #expect(try name(.rwlockTrydrop).contains("TrylockOrDrop"))
        #expect(try name(.pthreadRWLock).hasSuffix("GlibcRWLock"))
        #expect(try name(.mutex).hasSuffix("ExclusiveLock"))
        #expect(try name(.seqlock).hasSuffix("SeqLock"))
        #expect(try name(.rcu).hasSuffix("EpochRCU"))
        #expect(try name(.percpu).hasSuffix("BiasedReaderLock"))
        #expect(try name(.nolock).hasSuffix("NoLock"))
    }

    @Test("contention policy per design", arguments: LockDesign.allCases)
    func contentionPolicy(design: LockDesign) throws {
        let expected: ContentionPolicy = switch design {
        case .rwlockTrylock: .wouldBlock
        case .rwlockTrydrop: .drop
        default: .wait
        }
        #expect(try design.run(TraitsProbe()).contentionPolicy == expected)
    }

    @Test("only seqlock replays stale writes", arguments: LockDesign.allCases)
    func replaysStaleWrites(design: LockDesign) throws {
        #expect(try design.run(TraitsProbe()).replaysStaleWrites == (design == .seqlock))
    }
}
