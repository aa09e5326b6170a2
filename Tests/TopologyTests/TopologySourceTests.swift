import Foundation
import Testing
import Topology
import TopologyFixtures

/// `--topology`'s argument, and the one-line errors of what hwloc cannot load.
@Suite("Topology: sources and load errors")
struct TopologySourceTests {
    @Test("synthetic:, a file and a dump folder")
    func parse() throws {
        #expect(try TopologySource.parse("synthetic:pack:2 pu:2") == .synthetic("pack:2 pu:2"))
        let xml = FixtureMachines.fixtureFolder + "/four-node.xml"
        #expect(try TopologySource.parse(xml) == .xml(xml))
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/sys/devices/system/cpu", withIntermediateDirectories: true)
        #expect(try TopologySource.parse(folder) == .dump(folder))
    }

    @Test("a missing path or a folder that is not a dump: one line naming it")
    func notThere() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: TopologyError.unreadable(path: folder + "/nowhere", code: 2)) {
            try TopologySource.parse(folder + "/nowhere")
        }
        #expect {
            try TopologySource.parse(folder)
        } throws: { error in
            "\(error)".hasPrefix(folder + ": ") && "\(error)".contains("not a machine dump") && !"\(error)".contains("\n")
        }
    }

    @Test("bad XML and a bad synthetic description are one-line errors naming them", arguments: [
        "<topology", "not xml at all",
    ])
    func badXML(text: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/machine.xml"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        #expect {
            try TopologyDiscovery.discover(TopologySource.parse(path), allowedCPUs: [0])
        } throws: { error in
            "\(error)".hasPrefix(path + ": ") && !"\(error)".contains("\n")
        }
    }

    @Test("a bad synthetic description is a one-line error quoting it")
    func badSynthetic() throws {
        #expect(throws: TopologyError.hwloc("\"pack:x\": not a synthetic topology hwloc accepts")) {
            try TopologyDiscovery.discover(.synthetic("pack:x"))
        }
    }

    @Test("a described machine's own CPUs are allowed, not this process's")
    func describedMachineAllowed() throws {
        let topology = try TopologyDiscovery.discover(.synthetic("pack:8 core:16 pu:2"))
        #expect(topology.allowedCPUs == Array(0..<256))
    }

    private func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("topology-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
