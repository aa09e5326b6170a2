import Platform
@testable import Runner
import Testing

/// The ping-pong on real threads: a figure, and no hang without a partner.
@Suite("Cache-line hand-off probe", .serialized)
struct CacheLineProbeTests {
    @Test("two threads ping-pong: each pair has a positive figure")
    func figure() throws {
        let probe = CacheLineProbe(senders: 2, vcpus: 1)
        #expect(probe.pairs == [.init(sender: 0, vcpu: 0), .init(sender: 1, vcpu: 0)])
        probe.start(budget: 10_000_000_000)
        let threads = try [HostThread.spawn { probe.takePart(sender: 0) }, HostThread.spawn { probe.takePart(sender: 1) },
                           HostThread.spawn { probe.takePart(vcpu: 0) }]
        threads.forEach { $0.join() }
        let figures = probe.oneWayNanoseconds
        #expect(figures.count == 2 && figures.allSatisfy { ($0 ?? 0) > 0 }, "\(figures)")
        #expect(probe.finished)
    }

    @Test("a partner that never comes: the probe is abandoned at its deadline, with no figure")
    func noPartner() throws {
        let probe = CacheLineProbe(senders: 1, vcpus: 1)
        probe.start(budget: 20_000_000)
        let sender = try HostThread.spawn { probe.takePart(sender: 0) }
        sender.join()
        #expect(probe.oneWayNanoseconds == [nil] && probe.finished)
    }

    @Test("a probe never started is abandoned at once; an abandoned one ends its waits")
    func neverStarted() throws {
        let probe = CacheLineProbe(senders: 1, vcpus: 1)
        probe.takePart(vcpu: 0)
        #expect(probe.oneWayNanoseconds == [nil] && probe.finished)
        let other = CacheLineProbe(senders: 1, vcpus: 1)
        other.start(budget: 10_000_000_000)
        other.abandon()
        other.takePart(sender: 0)
        #expect(other.oneWayNanoseconds == [nil])
    }

    @Test("pairs: every thread up to eight a side, each sender with a vCPU it sends to")
    func pairs() {
        #expect(CacheLineProbe(senders: 1, vcpus: 4).pairs.map(\.vcpu) == [0, 1, 2, 3])
        #expect(CacheLineProbe(senders: 3, vcpus: 2).pairs.map { [$0.sender, $0.vcpu] } == [[0, 0], [1, 1], [2, 0]])
        #expect(CacheLineProbe(senders: 32, vcpus: 32).pairs.count == CacheLineProbe.maximumPairs)
    }

    /// A real run carries its figures: one per pair, before and after.
    @Test("a real run records the hand-off before and after its window")
    func realRun() throws {
        var c = RunConfiguration(design: .rwlock)
        c.warmupSeconds = 0.01
        c.durationSeconds = 0.05
        let result = try runConfiguration(c)
        #expect(result.handOffBefore.count == 1 && result.handOffAfter.count == 1)
    }
}
