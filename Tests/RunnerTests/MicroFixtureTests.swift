import LockDesigns
import PageCache
import Runner
import TestSupport
import Testing

@Suite("Micro-operation fixture")
struct MicroFixtureTests {
    /// The loops that `make instructions` counts and `Benchmarks/` times
    /// must do what their names say, every iteration, for every design: a
    /// count of something else would be meaningless.
    struct Surprises: DesignTest {
        let operation: MicroOperation
        func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws -> Int {
            var fixture = try MicroFixture<Lock>(operation: operation)
            return fixture.run(operation, iterations: 200)
        }
    }

    @Test("every iteration of every operation does what it says", arguments: LockDesign.allCases)
    func noSurprises(design: LockDesign) throws {
        for operation in MicroOperation.allCases {
            #expect(try design.run(Surprises(operation: operation)) == 0, "\(operation)")
        }
    }
}
