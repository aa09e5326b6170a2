import ArgumentParser
import GuestMemory
import LockDesigns
import Runner

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Torture each design (senders, guest, host migrating pages) and check that no event is lost.",
        discussion: "Exits non-zero if a safe design loses an event. nolock is expected to lose some.")

    @Option(help: "Designs: a comma list, or all.")
    var design = "all"

    @Option(help: "Guest ABI: 64 or 32.")
    var abi = "64"

    @Option(help: "Sender threads.")
    var senders = 2

    @Option(help: "vCPU threads.")
    var vcpus = 2

    @Option(help: "Upper bound on each run, in seconds.")
    var seconds = 0.5

    @Option(help: "Host action: migrate, toggle, or none.")
    var host = "migrate"

    func run() throws {
        let designs: [LockDesign]
        do { designs = try LockDesign.parseList(design) } catch { throw ValidationError(error.description) }
        guard let guestABI = GuestABI(rawValue: abi) else { throw ValidationError("unknown ABI '\(abi)'; use 64 or 32") }
        guard let action = TortureConfiguration.HostAction(rawValue: host) else {
            throw ValidationError("unknown host action '\(host)'; use migrate, toggle or none")
        }
        var failed: [LockDesign] = []
        for design in designs {
            var configuration = TortureConfiguration(design: design)
            configuration.abi = guestABI
            configuration.senders = senders
            configuration.vcpus = vcpus
            configuration.maxSeconds = seconds
            configuration.hostAction = action
            let report: TortureReport
            do { report = try runTorture(configuration) } catch { throw ValidationError(error.description) }
            print(report)
            if design.isSafe && report.lost != 0 { failed.append(design) }
        }
        if !failed.isEmpty {
            print("LOST EVENTS in safe designs: \(failed.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(1)
        }
    }
}
