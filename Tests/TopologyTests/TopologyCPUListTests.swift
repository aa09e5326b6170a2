import Testing
import Topology

@Suite("Topology: cpulist syntax")
struct TopologyCPUListTests {
    @Test("parses what sysfs prints and prints it back canonically",
          arguments: [("0-3,8-11", [0, 1, 2, 3, 8, 9, 10, 11], "0-3,8-11"),
                      ("5", [5], "5"),
                      ("", [], ""),
                      ("0-1\n", [0, 1], "0-1"),
                      ("  4-5,7 \n", [4, 5, 7], "4-5,7"),
                      ("3,1,2,2", [1, 2, 3], "1-3"),
                      ("0,2,4-4", [0, 2, 4], "0,2,4")])
    func roundTrip(text: String, cpus: [Int], canonical: String) throws {
        let list = try CPUList.parse(text)
        #expect(list.cpus == cpus)
        #expect(list.description == canonical)
        #expect(try CPUList.parse(list.description) == list)
    }

    @Test("the initialiser sorts and drops repeats")
    func initialiser() {
        #expect(CPUList([9, 1, 1, 0, 2]).cpus == [0, 1, 2, 9])
        #expect(CPUList([9, 1, 1, 0, 2]).description == "0-2,9")
        #expect(CPUList([]).description == "")
    }

    @Test("rejects what is not a cpulist, naming the input",
          arguments: ["3-1", "a", "1,,2", "-1", "1-", "+1", "1-2-3", ",", "0-15:2/4", "0-99999999999"])
    func rejects(text: String) {
        #expect {
            try CPUList.parse(text)
        } throws: { error in
            guard let error = error as? TopologyError, case .cpuList(let named, _) = error else { return false }
            return named == text && error.description.contains("\"\(text)\"")
        }
    }

    @Test("error messages say what is wrong")
    func messages() {
        #expect(throws: TopologyError.cpuList(text: "3-1", problem: "range 3-1 runs backwards")) { try CPUList.parse("3-1") }
        #expect(throws: TopologyError.cpuList(text: "1,,2", problem: "empty item")) { try CPUList.parse("1,,2") }
        #expect(TopologyError.cpuList(text: "a", problem: "'a' is not a CPU number").description
            == "malformed cpulist \"a\": 'a' is not a CPU number")
    }
}
