#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import Delivery
import GuestMemory
import LockDesigns
import Platform
import Reports
import Runner

/// A command-line error: one line, non-zero exit, no usage dump.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Everything a sweep needs, checked before the first run starts.
struct SweepPlan {
    var points: [SweepPoint]
    /// Placement per (senders, vcpus).
    var placements: [PlacementKey: Placement]
    var placementPolicy: String
    var topology: Topology
    var machine: MachineInfo
    var outputPath: String
    var writer: CSVReportWriter
    /// Folder for per-row HdrHistogram files, if asked for.
    var histogramFolder: String?
}

struct PlacementKey: Hashable {
    let senders: Int
    let vcpus: Int
}

/// Turns the command's options into a checked SweepPlan: every list parsed,
/// every CPU and node checked against the topology, the output file
/// created (with its header) so an unwritable path fails before any work.
struct SweepSetup {
    let options: RunCommand

    init(_ options: RunCommand) { self.options = options }

    func make() throws -> SweepPlan {
        let o = options
        do {
            let designs: [LockDesign] = try parseNameList(o.design, option: "--design")
            let scenarios: [Scenario] = try parseNameList(o.scenario, option: "--scenario")
            let strategies: [RelocationStrategy] = try parseNameList(o.strategy, option: "--strategy")
            let senders = try parseCountList(o.senders, option: "--senders")
            let vcpus = try parseCountList(o.vcpus, option: "--vcpus")
            guard o.reps >= 1 else { throw CommandError("--reps must be at least 1 (got \(o.reps))") }
            let template = try makeTemplate()
            let request = SweepRequest(designs: designs, scenarios: scenarios, senders: senders, vcpus: vcpus,
                                       reps: o.reps, strategies: strategies, template: template)
            let topology = try TopologyDiscovery.discover(sysfsRoot: o.sysfsRoot)
            var placements: [PlacementKey: Placement] = [:]
            for s in senders {
                for v in vcpus {
                    placements[PlacementKey(senders: s, vcpus: v)] = try place(placementRequest(senders: s, vcpus: v), on: topology)
                }
            }
            let points = request.points()
            for point in points {
                do { try point.configuration.validate() } catch { throw CommandError(error.description) }
            }
            let machine = MachineInfo.current()
            let path = o.output ?? defaultReportPath(secondsSinceEpoch: secondsSinceEpoch(), host: machine.host)
            if let folder = o.histograms { try makeFolder(folder) }
            let writer = try CSVReportWriter(path: path, columns: RunRecord.columns)
            return SweepPlan(points: points, placements: placements, placementPolicy: o.placement, topology: topology,
                             machine: machine, outputPath: path, writer: writer, histogramFolder: o.histograms)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(String(describing: error))
        }
    }

    private func makeTemplate() throws -> RunConfiguration {
        let o = options
        var c = RunConfiguration(design: .rwlock)
        guard let abi = GuestABI(rawValue: o.abi) else { throw CommandError("--abi: unknown '\(o.abi)'; use 64 or 32") }
        c.abi = abi
        guard let mode = VCPUMode(rawValue: o.vcpuMode) else {
            throw CommandError("--vcpu-mode: unknown '\(o.vcpuMode)'; use poll or halt")
        }
        c.vcpuMode = mode
        switch o.load {
        case "closed": c.load = .closed
        case "open": c.load = .open(ratePerSender: o.rate)
        default: throw CommandError("--load: unknown '\(o.load)'; use closed or open")
        }
        guard o.invalidateEveryUs >= 0 else { throw CommandError("--invalidate-every-us must not be negative") }
        c.host = o.invalidateEveryUs == 0 ? .idle : .migrate(everyMicroseconds: o.invalidateEveryUs)
        c.portsPerSender = o.portsPerSender
        c.maskedFraction = o.maskedFraction
        c.timerRate = o.timerRate
        c.relocateEveryMicroseconds = o.relocateEveryUs
        c.durationSeconds = o.duration
        c.warmupSeconds = o.warmup
        return c
    }

    private func placementRequest(senders: Int, vcpus: Int) throws -> PlacementRequest {
        let o = options
        var request = PlacementRequest(senders: senders, vcpus: vcpus)
        guard let policy = PlacementPolicy(rawValue: o.placement) else {
            throw CommandError("--placement: unknown '\(o.placement)'; use compact, scatter or split")
        }
        request.policy = policy
        request.senderCPUs = try o.senderCPUs.map { try CPUList.parse($0).cpus }
        request.vcpuCPUs = try o.vcpuCPUs.map { try CPUList.parse($0).cpus }
        request.hostCPUs = try o.hostCPUs.map { try CPUList.parse($0).cpus }
        request.memory = try MemoryChoice.parse(o.memNode)
        return request
    }
}

/// Creates `path` (one level) unless it exists as a folder already.
func makeFolder(_ path: String) throws {
    var info = stat()
    if stat(path, &info) == 0 {
        guard info.st_mode & S_IFMT == S_IFDIR else { throw CommandError("--histograms: \(path) exists and is not a folder") }
        return
    }
    guard mkdir(path, 0o755) == 0 else {
        throw CommandError("--histograms: cannot create \(path): \(String(cString: strerror(errno)))")
    }
}
