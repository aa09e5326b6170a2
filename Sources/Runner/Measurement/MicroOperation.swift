import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Platform

/// The single-thread operations whose cost evtchn-bench reports per design
/// with nothing else running: the package-benchmark micro-benchmarks
/// (`Benchmarks/`) time them, `make instructions` counts their instructions.
public enum MicroOperation: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Acquire and release of the design's read side.
    case readSide = "read_side"
    /// A send to port 66 of vCPU 0 while it is already pending.
    case coalesce
    /// A send that sets pending, selector and upcall and kicks, then the
    /// guest's upcall handler consuming it (so the next send delivers again).
    case deliverConsume = "deliver_consume"

    public var description: String { rawValue }
}

/// One guest with one vCPU whose vcpu_info sits in its default slot, and a
/// sender context: the fixture of every micro-operation.
public struct MicroFixture<Lock: ReadMostlyLock & ~Copyable>: @unchecked Sendable {
    public static var port: Int { 66 }
    public let domain: EventChannelDomain<Lock>
    @usableFromInline var context: DeliveryContext
    @usableFromInline var guest: GuestVCPU
    /// A lock of the design on its own line, for `read_side`.
    @usableFromInline let readSide: PaddedBuffer<Lock>

    public init(operation: MicroOperation) throws(SystemError) {
        let memory = try GuestMemory(guestFrames: 1, quarantineFrames: 4, writerCapacity: 4, guestCPUs: 1)
        domain = EventChannelDomain<Lock>(memory: memory, abi: .longMode, vcpuCount: 1)
        domain.activateSharedInfo()
        domain.activateDefaultVCPUInfo(vcpu: 0)
        context = domain.makeContext()!
        guest = domain.guestVCPU(0)
        readSide = PaddedBuffer(count: 1) { _ in Lock(readerCapacity: memory.quiescence.capacity) }
        if operation == .coalesce { _ = domain.deliver(port: Self.port, vcpu: 0, context: &context) }
    }

    /// Runs `operation` `iterations` times and returns how many of them did
    /// not do what the operation says (a read section that a writer
    /// overlapped, a send that did not coalesce or deliver, a handler run
    /// that did not consume exactly one event): 0 in a correct model. The
    /// count depends on every iteration, so nothing is optimised away, and
    /// checking each result against a constant costs the loop almost
    /// nothing. Sends come in bursts of 64 with a quiescent state after
    /// each, as in the senders' hot loop (`sendBurst`).
    @inlinable
    public mutating func run(_ operation: MicroOperation, iterations: Int) -> Int {
        var surprises = 0
        if operation == .readSide {
            let lock = readSide.pointer(at: 0)
            for _ in 0..<iterations {
                // The reader's slot from the sender's context, as on the
                // fast path.
                let ticket = lock.pointee.readLock(reader: context.slot)
                if !lock.pointee.readUnlock(reader: context.slot, ticket) { surprises &+= 1 }
            }
            return surprises
        }
        return operation == .coalesce ? coalescing(iterations) : delivering(iterations)
    }

    /// The `coalesce` loop, a function of its own so that LLVM does not
    /// merge it with `delivering` into one loop that tests a flag.
    @inlinable @inline(never)
    mutating func coalescing(_ count: Int) -> Int { sends(count, consuming: false) }

    /// The `deliver_consume` loop.
    @inlinable @inline(never)
    mutating func delivering(_ count: Int) -> Int { sends(count, consuming: true) }

    /// `count` sends to port 66 of vCPU 0, each consumed by the guest's
    /// handler if `consuming`.
    @inlinable @inline(__always)
    mutating func sends(_ count: Int, consuming: Bool) -> Int {
        var surprises = 0
        var left = count
        while left > 0 {
            var burst = min(left, 64)
            left &-= burst
            repeat {
                let result = domain.deliver(port: Self.port, vcpu: 0, context: &context, quiescentState: false)
                if result != (consuming ? .delivered : .coalesced) { surprises &+= 1 }
                if consuming, guest.runUpcallHandler().handled != 1 { surprises &+= 1 }
                burst &-= 1
            } while burst > 0
            context.passQuiescentState()
        }
        return surprises
    }
}
