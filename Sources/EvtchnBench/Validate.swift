import ArgumentParser
import GuestMemory
import LockDesigns
import Runner

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Torture each design (senders racing on shared ports, guest handler, host migrating the page) and check that no event is lost.",
        discussion: "Exits non-zero if a safe design loses an event. nolock is expected to lose some (it is the negative control).")

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

    @Option(help: "Host action: migrate (back to back), toggle (shared_info activation), or idle.")
    var host = "migrate"

    func run() throws {
        let designs: [LockDesign]
        do { designs = try LockDesign.parseList(design) } catch { throw ValidationError(error.description) }
        guard let guestABI = GuestABI(rawValue: abi) else { throw ValidationError("unknown ABI '\(abi)'; use 64 or 32") }
        let action: HostAction
        switch host {
        case "migrate": action = .migrate(everyMicroseconds: 0)
        case "toggle": action = .toggleActivation
        case "idle": action = .idle
        default: throw ValidationError("unknown host action '\(host)'; use migrate, toggle or idle")
        }
        var failed: [LockDesign] = []
        for design in designs {
            var configuration = RunConfiguration.validation(design: design, abi: guestABI, seconds: seconds)
            configuration.senders = senders
            configuration.vcpus = vcpus
            configuration.host = action
            let result: RunResult
            do { result = try runConfiguration(configuration) } catch { throw ValidationError(error.description) }
            print(result.summaryLine)
            if design.isSafe && result.lost != 0 { failed.append(design) }
        }
        if !failed.isEmpty {
            print("LOST EVENTS in safe designs: \(failed.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(1)
        }
    }
}
