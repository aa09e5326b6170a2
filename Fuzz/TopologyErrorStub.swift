// CPUList throws TopologyError, declared in Topology.swift beside code that
// needs the Platform module; the fuzzer builds CPUList alone, with this
// stand-in for the one case it throws.
public enum TopologyError: Error, Equatable {
    case cpuList(text: String, problem: String)
}
