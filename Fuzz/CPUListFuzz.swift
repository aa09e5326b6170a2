// libFuzzer entry for the cpulist syntax ("0-3,8") that sysfs prints and
// --sender-cpus, --vcpu-cpus and --host-cpus accept. Built by
// scripts/fuzz.sh with Sources/Runner/Topology/CPUList.swift.
//
// Checked on every input: nothing traps or runs away (a range is bounded
// by CPUList.maximumCPU); a parsed list is ascending without repeats and
// in bounds; its canonical text parses back to the same list.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCPUList(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    // Safe: libFuzzer passes `count` readable bytes at `start` (or none).
    let bytes = count > 0 ? Array(UnsafeBufferPointer(start: start, count: count)) : []
    guard let list = try? CPUList.parse(String(decoding: bytes, as: UTF8.self)) else { return 0 }
    precondition(zip(list.cpus, list.cpus.dropFirst()).allSatisfy { $0 < $1 }, "not ascending")
    precondition(list.cpus.allSatisfy { $0 >= 0 && $0 <= CPUList.maximumCPU }, "out of bounds")
    precondition((try? CPUList.parse(list.description)) == list, "canonical text does not parse back")
    return 0
}
