import Reports
import Testing

@Suite("Median intervals and disagreeing repetitions")
struct IntervalTests {
    @Test("order-statistic intervals: coverage and the values chosen")
    func orderStatistics() throws {
        let one = try #require(Statistics.medianInterval([5]))
        #expect(one.method == .undefined && one.lower == 5 && one.upper == 5)
        let three = try #require(Statistics.medianInterval([3, 1, 2]))
        #expect(three.method == .fullRange && three.lower == 1 && three.upper == 3 && three.coverage == 0.75)
        let five = try #require(Statistics.medianInterval([1, 2, 3, 4, 5]))
        #expect(five.method == .fullRange && five.coverage == 1 - 2.0 / 32, "5 values reach only 93.75 %")
        let six = try #require(Statistics.medianInterval([6, 5, 4, 3, 2, 1]))
        #expect(six.method == .orderStatistics && six.lower == 1 && six.upper == 6 && six.coverage == 1 - 2.0 / 64)
        // n = 20: P(B <= 5) = 0.0207 <= 0.025 < P(B <= 6): [x(6), x(15)].
        let twenty = try #require(Statistics.medianInterval((1...20).map(Double.init)))
        #expect(twenty.method == .orderStatistics && twenty.lower == 6 && twenty.upper == 15)
        #expect(abs(twenty.coverage - 0.958611) < 1e-6)
        #expect(Statistics.medianInterval([]) == nil)
        // Large samples stay near the normal-theory width and are quick.
        let many = try #require(Statistics.medianInterval((1...10_000).map(Double.init)))
        #expect(abs(many.lower - 4903) <= 2 && abs(many.upper - 5098) <= 2, "\(many)")
    }

    @Test("overlap is nil when a side has one value")
    func overlap() throws {
        let a = try #require(Statistics.medianInterval([1, 2, 3]))
        let b = try #require(Statistics.medianInterval([3, 4, 5]))
        let c = try #require(Statistics.medianInterval([4, 5, 6]))
        #expect(a.overlaps(b) == true && a.overlaps(c) == false)
        #expect(try a.overlaps(#require(Statistics.medianInterval([2]))) == nil)
    }

    @Test("spread and bimodal flags")
    func disagreement() {
        #expect(Statistics.spreadPercent([90, 100, 110]) == 20)
        #expect(Statistics.spreadPercent([5]) == nil)
        #expect(Statistics.isBimodal([6.0, 6.1, 16.0, 16.3]))
        #expect(Statistics.isBimodal([6.0, 16.0, 6.2, 16.3, 6.1]))
        #expect(!Statistics.isBimodal([1, 2, 3, 4]), "evenly spread is not two groups")
        #expect(!Statistics.isBimodal([6, 16, 16.2]), "three values cannot show two groups")
        #expect(!Statistics.isBimodal([10, 10.1, 10.2, 14]), "one outlier is not a group")
        #expect(RepetitionSummary([100, 101, 99]).disagreement == nil)
        #expect(RepetitionSummary([6e6, 16e6, 16.2e6]).disagreement == "spread 64%")
        #expect(RepetitionSummary([6e6, 6.1e6, 16e6, 16.2e6]).disagreement == "bimodal")
    }

    @Test("interval text says when it is only the range")
    func text() {
        #expect(RepetitionSummary([5e6]).intervalText == "-")
        #expect(RepetitionSummary([4.9e6, 5e6, 5.2e6]).intervalText == "4.90M..5.20M range 75%")
        #expect(RepetitionSummary((1...6).map { Double($0) * 1000 }).intervalText == "1.0k..6.0k")
    }
}
