import Benchmark
import Delivery
import GuestMemory
import LockDesigns
import PageCache

/// Single-thread costs per design, with no contention: what the read side
/// and the fast path cost when nothing else runs. Three benchmarks each:
/// - "deliver_consume-<design>": a send that sets pending, selector and
///   upcall and kicks, then the guest handler consuming it (so the next send
///   is delivered again);
/// - "coalesce-<design>": a send to a port already pending;
/// - "read_side-<design>": acquire and release of the design's read side.
let benchmarks: @Sendable () -> Void = {
    // Thresholds (Benchmarks/Thresholds, `benchmark thresholds check`): wall
    // clock and throughput may drift 25 % at p50 and 35 % at p90 before a
    // check fails (this 2-core VM is noisy); the fast path must never
    // allocate.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 1_000,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 1_000_000,
        thresholds: [
            .wallClock: .init(relative: [.p50: 25.0, .p90: 35.0]),
            .throughput: .init(relative: [.p50: 25.0, .p90: 35.0]),
            .mallocCountTotal: .init(absolute: [.p50: 0, .p90: 0, .p100: 0]),
        ])
    for design in LockDesign.allCases {
        design.visit(Registrar())
    }
}

/// Registers the three benchmarks of one design, specialised for its type.
struct Registrar: LockDesignVisitor {
    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) {
        Benchmark("deliver_consume-\(design)") { benchmark in
            let domain = makeDomain(Lock.self)
            var context = domain.makeContext()!
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(domain.deliver(port: 66, vcpu: 0, context: &context))
                blackHole(domain.runUpcallHandler(vcpu: 0).handled)
            }
        }
        Benchmark("coalesce-\(design)") { benchmark in
            let domain = makeDomain(Lock.self)
            var context = domain.makeContext()!
            _ = domain.deliver(port: 66, vcpu: 0, context: &context)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(domain.deliver(port: 66, vcpu: 0, context: &context))
            }
        }
        Benchmark("read_side-\(design)") { benchmark in
            let lock = Lock(readerCapacity: 1)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let ticket = lock.readLock(reader: 0)
                blackHole(lock.readUnlock(reader: 0, ticket))
            }
        }
    }
}

/// One vCPU with vcpu_info in its default slot; shared_info at frame 0.
func makeDomain<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type) -> EventChannelDomain<Lock> {
    let memory = try! GuestMemory(guestFrames: 1, quarantineFrames: 4, writerCapacity: 4, guestCPUs: 1)
    let domain = EventChannelDomain<Lock>(memory: memory, abi: .longMode, vcpuCount: 1)
    domain.activateSharedInfo()
    domain.activateDefaultVCPUInfo(vcpu: 0)
    return domain
}
