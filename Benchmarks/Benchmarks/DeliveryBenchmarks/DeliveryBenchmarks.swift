import Benchmark
import Delivery
import GuestMemory
import LockDesigns
import PageCache

/// Single-thread costs per design, with no contention: what the read side
/// and the fast path cost when nothing else runs. Three benchmarks each:
/// - "fast path delivered+consumed": a send that sets pending, selector and
///   upcall and kicks, then the guest handler consuming it (so the next send
///   is delivered again);
/// - "fast path coalesced": a send to a port already pending;
/// - "read side": acquire and release of the design's read side.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .instructions],
        warmupIterations: 1_000,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 1_000_000)
    for design in LockDesign.allCases {
        design.visit(Registrar())
    }
}

/// Registers the three benchmarks of one design, specialised for its type.
struct Registrar: LockDesignVisitor {
    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) {
        Benchmark("fast path delivered+consumed/\(design)") { benchmark in
            let domain = makeDomain(Lock.self)
            var context = domain.makeContext()!
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(domain.deliver(port: 66, vcpu: 0, context: &context))
                blackHole(domain.runUpcallHandler(vcpu: 0).handled)
            }
        }
        Benchmark("fast path coalesced/\(design)") { benchmark in
            let domain = makeDomain(Lock.self)
            var context = domain.makeContext()!
            _ = domain.deliver(port: 66, vcpu: 0, context: &context)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(domain.deliver(port: 66, vcpu: 0, context: &context))
            }
        }
        Benchmark("read side/\(design)") { benchmark in
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
    let memory = try! GuestMemory(guestFrames: 1, quarantineFrames: 4, writerCapacity: 4)
    let domain = EventChannelDomain<Lock>(memory: memory, abi: .longMode, vcpuCount: 1)
    domain.activateSharedInfo()
    domain.activateDefaultVCPUInfo(vcpu: 0)
    return domain
}
