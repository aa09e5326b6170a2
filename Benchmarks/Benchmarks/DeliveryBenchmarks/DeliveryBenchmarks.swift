import Benchmark
import Delivery
import LockDesigns
import PageCache
import Runner

/// Single-thread costs per design, with no contention: what the read side
/// and the fast path cost when nothing else runs. Three benchmarks each:
/// - "deliver_consume-<design>": a send that sets pending, selector and
///   upcall and kicks, then the guest handler consuming it (so the next send
///   is delivered again);
/// - "coalesce-<design>": a send to a port already pending;
/// - "read_side-<design>": acquire and release of the design's read side.
let benchmarks: @Sendable () -> Void = {
    // No thresholds: wall clock is measured here, not gated (see
    // Benchmarks/README.md). Instructions per operation are gated by
    // `make instructions`, allocation on the hot loop by the codegen check.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 1_000,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 1_000_000)
    for design in LockDesign.allCases {
        design.visit(Registrar())
    }
}

/// Registers the three benchmarks of one design, specialised for its type.
/// The loops are `Runner.MicroFixture`'s, the same that `make instructions`
/// counts under callgrind.
struct Registrar: LockDesignVisitor {
    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) {
        for operation in MicroOperation.allCases {
            Benchmark("\(operation)-\(design)") { benchmark in
                var fixture = try MicroFixture<Lock>(operation: operation)
                benchmark.startMeasurement()
                blackHole(fixture.run(operation, iterations: benchmark.scaledIterations.count))
            }
        }
    }
}
