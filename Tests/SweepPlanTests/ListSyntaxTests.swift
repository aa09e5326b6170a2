import Delivery
import LockDesigns
import Runner
import SweepPlan
import Testing

@Suite("List syntax")
struct ListSyntaxTests {
    @Test("count lists: items, ranges, duplicates, order", arguments: [
        ("1,2,4", [1, 2, 4]), ("1-4", [1, 2, 3, 4]), ("4,1-2,2", [1, 2, 4]), ("8", [8]),
    ])
    func counts(text: String, expected: [Int]) throws {
        #expect(try parseCountList(text, option: "--senders") == expected)
    }

    @Test("bad count lists are rejected with the option and the text", arguments: [
        "", "0", "1,,2", "-1", "2-1", "a", "1-", "1.5", "5000",
    ])
    func badCounts(text: String) {
        let error = #expect(throws: ListSyntaxError.self) { try parseCountList(text, option: "--vcpus") }
        #expect(error?.description.hasPrefix("--vcpus: '\(text)'") == true, "\(String(describing: error))")
    }

    @Test("name lists for scenarios and strategies")
    func names() throws {
        let scenarios: [Scenario] = try parseNameList("ipi, relocate", option: "--scenario")
        #expect(scenarios == [.ipi, .relocate])
        let all: [RelocationStrategy] = try parseNameList("all", option: "--strategy")
        #expect(all == RelocationStrategy.allCases)
        #expect(throws: NameListError.self) { let _: [Scenario] = try parseNameList("ipi,", option: "--scenario") }
    }

    @Test("all mixed with names says so, not that all is unknown")
    func allMixed() {
        let error = #expect(throws: NameListError.self) { let _: [LockDesign] = try parseNameList("all,rwlock", option: "--design") }
        #expect(error?.description == "--design: 'all' cannot be combined with other names")
        let unknown = #expect(throws: NameListError.self) { let _: [LockDesign] = try parseNameList("rwlok", option: "--design") }
        #expect(unknown?.description.hasPrefix("--design: unknown 'rwlok'; known: rwlock,") == true)
    }
}
