import GuestMemory
import Delivery
import Runner
import Testing

@Suite("Event ledger and counters")
struct EventLedgerTests {
    @Test("without replay, lost = newly set - handled")
    func plainCount() {
        let ledger = EventLedger(newlySet: 10, handled: 7, stalePendingBits: 3, replays: 0, designReplays: false)
        #expect(ledger.lost == 3)
        #expect(ledger.duplicates == 0)
    }

    @Test("with replay, duplicates are allowed and stale bits need a replay each")
    func replayCount() {
        var ledger = EventLedger(newlySet: 10, handled: 11, stalePendingBits: 2, replays: 2, designReplays: true)
        #expect(ledger.lost == 0)
        #expect(ledger.duplicates == 1)
        ledger.replays = 1
        #expect(ledger.lost == 1, "a stale bit without a replay is a loss even if duplicates hide it")
        ledger = EventLedger(newlySet: 10, handled: 9, stalePendingBits: 1, replays: 1, carriedSends: 1, designReplays: true)
        #expect(ledger.lost == 0, "a carried send may have been a coalesce")
        ledger.carriedSends = 0
        #expect(ledger.lost == 1)
    }

    @Test("counters tally results and add up")
    func counters() {
        var a = DeliveryCounters()
        for result in [DeliveryResult.delivered, .delivered, .coalesced, .masked, .dropped, .inactive, .invalid] {
            a.record(result)
        }
        #expect(a.sends == 7 && a.newlySet == 3 && a.dropped == 1 && a.inactive == 1 && a.invalid == 1)
        var context = DeliveryContext(slot: 0, of: WriterQuiescence(capacity: 1))
        context.retries = 2
        context.replays = 3
        context.wouldBlock = 1
        a.absorb(context)
        let sum = a + a
        #expect(sum.sends == 14 && sum.retries == 4 && sum.replays == 6 && sum.wouldBlock == 2)
    }
}
