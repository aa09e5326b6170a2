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
        readSide = PaddedBuffer(count: 1) { _ in Lock(readerCapacity: 1) }
        if operation == .coalesce { _ = domain.deliver(port: Self.port, vcpu: 0, context: &context) }
    }

    /// Runs `operation` `iterations` times; returns something that depends
    /// on every iteration, so that nothing is optimised away. Sends come in
    /// bursts of 64 with a quiescent state after each, as in the senders'
    /// hot loop (`sendBurst`).
    @inlinable
    public mutating func run(_ operation: MicroOperation, iterations: Int) -> Int {
        var sum = 0
        if operation == .readSide {
            let lock = readSide.pointer(at: 0)
            for _ in 0..<iterations {
                let ticket = lock.pointee.readLock(reader: 0)
                sum &+= lock.pointee.readUnlock(reader: 0, ticket) ? 1 : 0
            }
            return sum
        }
        return operation == .coalesce ? sends(iterations, consuming: false) : sends(iterations, consuming: true)
    }

    /// `count` sends to port 66 of vCPU 0, each consumed by the guest's
    /// handler if `consuming`; one copy of the loop per value of it.
    @inlinable @inline(__always)
    mutating func sends(_ count: Int, consuming: Bool) -> Int {
        var sum = 0
        var left = count
        while left > 0 {
            let burst = min(left, 64)
            left -= burst
            for _ in 0..<burst {
                sum &+= Int(domain.deliver(port: Self.port, vcpu: 0, context: &context, quiescentState: false).rawValue)
                if consuming { sum &+= guest.runUpcallHandler().handled }
            }
            context.passQuiescentState()
        }
        return sum
    }
}
