/// A set of CPU numbers in the kernel's cpulist syntax ("0-3,8-11", "5",
/// "" for none): what sysfs prints in node/online, nodeN/cpulist and
/// cpu/online, and what the command line accepts for explicit CPU lists, so
/// that a list copied from sysfs can be pasted back unchanged.
public struct CPUList: Equatable, Sendable, CustomStringConvertible {
    /// Ascending, without repeats.
    public let cpus: [Int]

    /// The largest CPU number accepted. Kernels build with NR_CPUS of at
    /// most a few thousand; the bound keeps a typo such as "0-4000000000"
    /// an error instead of a four-billion-element array.
    public static let maximumCPU = 65_535

    public init(_ cpus: [Int]) {
        self.cpus = Array(Set(cpus)).sorted()
    }

    /// Parses cpulist text, ignoring surrounding whitespace (sysfs files end
    /// in a newline). Only the forms sysfs prints are accepted: "N" and
    /// "N-M" items joined by commas. The kernel's stride form ("0-15:2/4")
    /// never appears in sysfs and is rejected rather than half-understood.
    public static func parse(_ text: String) throws(TopologyError) -> CPUList {
        let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        guard !trimmed.isEmpty else { return CPUList([]) }
        var cpus: [Int] = []
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw .cpuList(text: trimmed, problem: "empty item") }
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2 else { throw .cpuList(text: trimmed, problem: "'\(item)' is not N or N-M") }
            let first = try cpuNumber(bounds[0], in: trimmed)
            let last = try bounds.count == 2 ? cpuNumber(bounds[1], in: trimmed) : first
            guard first <= last else { throw .cpuList(text: trimmed, problem: "range \(item) runs backwards") }
            cpus.append(contentsOf: first...last)
        }
        return CPUList(cpus)
    }

    private static func cpuNumber(_ digits: Substring, in text: String) throws(TopologyError) -> Int {
        // Int(_:) alone would also take "+1"; a cpulist has bare digits.
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .cpuList(text: text, problem: "'\(digits)' is not a CPU number")
        }
        guard let cpu = Int(digits), cpu <= maximumCPU else {
            throw .cpuList(text: text, problem: "CPU \(digits) is beyond \(maximumCPU)")
        }
        return cpu
    }

    /// The canonical cpulist, as the kernel prints it: runs of two or more
    /// consecutive CPUs as "first-last".
    public var description: String {
        var items: [String] = []
        var start = 0
        while start < cpus.count {
            var end = start
            while end + 1 < cpus.count && cpus[end + 1] == cpus[end] + 1 { end += 1 }
            items.append(end == start ? "\(cpus[start])" : "\(cpus[start])-\(cpus[end])")
            start = end + 1
        }
        return items.joined(separator: ",")
    }
}
