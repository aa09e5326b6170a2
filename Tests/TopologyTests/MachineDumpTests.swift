import Foundation
import Testing
import Topology

/// The eight real machine dumps in ../shared/fixtures/machines (hwloc's own
/// test data): each read through hwloc must give the counts of its
/// EXPECTED.tsv line. Skipped where ../shared is missing, except under CI,
/// where a missing folder fails.
@Suite("Topology: real machine dumps")
struct MachineDumpTests {
    static let folder: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/../shared/fixtures/machines"
    }()
    static let available = FileManager.default.fileExists(atPath: folder + "/EXPECTED.tsv")
    static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"

    @Test("every dump gives EXPECTED.tsv's packages, nodes, cores, PUs, L3s and first core",
          .enabled(if: available || underCI, "../shared/fixtures/machines is not there"))
    func expectedCounts() throws {
        let expected = try #require(try? String(contentsOfFile: Self.folder + "/EXPECTED.tsv", encoding: .utf8),
                                    "\(Self.folder)/EXPECTED.tsv is missing")
        let rows = expected.split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.count == 8)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dumps-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for row in rows {
            try #require(row.count == 7, "bad EXPECTED.tsv line \(row)")
            try unpack(Self.folder + "/\(row[0]).tar.bz2", into: scratch)
            let topology = try TopologyDiscovery.discover(.dump(scratch + "/" + row[0]))
            let l3 = topology.llcDomains.filter { $0.level == 3 }.count
            let found = [topology.packages.count, topology.nodes.count, topology.cores.count, topology.pus.count, l3].map(String.init)
                + [topology.cores[0].cpus.map(String.init).joined(separator: ",")]
            #expect(found == Array(row[1...]), "\(row[0])")
            #expect(topology.allowedCPUs == topology.onlineCPUs, "\(row[0]): a dump's allowed CPUs are its own")
        }
        #expect(getenv("HWLOC_FSROOT") == nil && getenv("HWLOC_THISSYSTEM") == nil, "the dump environment is restored")
        try quirks(in: scratch)
    }

    /// What the README says each quirk looks like.
    private func quirks(in scratch: String) throws {
        let sparse = try TopologyDiscovery.discover(.dump(scratch + "/48amd64-4d2n6c-sparse"))
        #expect(sparse.nodes.map(\.id) == [0, 1, 2, 33, 34, 45, 72, 73])
        #expect(Set(sparse.nodes.flatMap(\.distances)) == [10, 16, 22])
        let tiers = try TopologyDiscovery.discover(.dump(scratch + "/fakeheteromemtiers"))
        #expect(tiers.nodes.filter { $0.cpus.isEmpty }.count == 4)
        #expect(tiers.nodes.map(\.cpus).filter { !$0.isEmpty } == [[0, 1], [2, 3], [4, 5]])
        let offline = try TopologyDiscovery.discover(.dump(scratch + "/offline-cpu0-node0"))
        #expect(offline.onlineCPUs == Array(4...20))
        let siblings = try TopologyDiscovery.discover(.dump(scratch + "/32intel64-2p8co2t+8ve"))
        #expect(siblings.pus.first { $0.id == 16 }?.core == 0)
        try placeByTier(on: siblings)
        let sparseLadder = sparse.ladder()
        #expect(sparseLadder.filter { $0.tier == .remote }.map(\.distance) == [16, 22], "one rung per distance, nearest first")
    }

    /// Siblings N and N+16: compact puts a 1 + 1 pair on two cores of one
    /// LLC, smt on siblings, whatever the numbering.
    private func placeByTier(on machine: Topology) throws {
        var request = PlacementRequest(senders: 1, vcpus: 1)
        let compact = try place(request, on: machine)
        #expect(compact.senderCPUs == [0] && compact.vcpuCPUs == [1] && machine.tier(0, 1) == .llc)
        request.policy = .smt
        let smt = try place(request, on: machine)
        #expect(smt.senderCPUs == [0] && smt.vcpuCPUs == [16] && machine.tier(0, 16) == .smt)
        #expect(machine.ladder().map(\.name) == ["smt", "llc", "remote-21"] || machine.ladder().map(\.tier) == [.smt, .llc, .remote])
    }

    private func unpack(_ tarball: String, into folder: String) throws {
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xjf", tarball, "-C", folder]
        try tar.run()
        tar.waitUntilExit()
        try #require(tar.terminationStatus == 0, "tar -xjf \(tarball) failed")
    }
}
