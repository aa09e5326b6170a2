import Platform
import Synchronization
import TestSupport
import Testing

@Suite("Platform primitives")
struct PrimitivesTests {
    @Test("PaddedBuffer puts each element on its own pair of cache lines")
    func paddedBuffer() {
        let buffer = PaddedBuffer(count: 4) { Atomic<Int>($0 * 10) }
        for index in 0..<4 {
            #expect(buffer.pointer(at: index).pointee.load(ordering: .relaxed) == index * 10)
            #expect(Int(bitPattern: buffer.pointer(at: index)) % cacheLinePairBytes == 0)
        }
        #expect(Int(bitPattern: buffer.pointer(at: 1)) - Int(bitPattern: buffer.pointer(at: 0)) == cacheLinePairBytes)
    }

    @Test("formatFixed: fixed decimals, no exponent, rounding, signs")
    func formatting() {
        #expect(formatFixed(1.5, decimals: 2) == "1.50")
        #expect(formatFixed(12_345_678.9, decimals: 0) == "12345679")
        #expect(formatFixed(-0.004, decimals: 2) == "0.00")
        #expect(formatFixed(-2.5, decimals: 1) == "-2.5")
        #expect(formatFixed(.nan, decimals: 1) == "nan")
    }

    @Test("HostThread runs its body; join waits for it")
    func hostThread() throws {
        let ran = Counter()
        let thread = try HostThread.spawn { ran.add() }
        thread.join()
        #expect(ran.value == 1)
    }

    @Test("SystemError names the call and the errno")
    func systemError() {
        let error = SystemError("open(x)", code: 2)
        #expect(error.description.hasPrefix("open(x) failed: "))
        #expect(error.description.hasSuffix("(errno 2)"))
        #expect(!error.reason.isEmpty)
    }

    @Test("the monotonic clock does not go back")
    func monotonic() {
        let first = monotonicNanoseconds()
        #expect(monotonicNanoseconds() >= first)
    }
}
