import ArgumentParser
import GuestMemory
import LockDesigns
import Runner

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Torture each design (senders racing on shared ports, guest handler, host migrating the page) and check that no event is lost.",
        discussion: "Exits non-zero if a safe design loses an event. nolock is expected to lose some (it is the negative control).")

    @Option(help: "Designs: a comma list, or all.", transform: ArgumentValue.names)
    var design: [LockDesign] = LockDesign.allCases

    @Option(help: "Guest ABI: 64 or 32.")
    var abi: GuestABI = .longMode

    @Option(help: "Sender threads.")
    var senders = 2

    @Option(help: "vCPU threads.")
    var vcpus = 2

    @Option(help: "Upper bound on each run, in seconds.")
    var seconds = 0.5

    @Option(help: "Host action: migrate (back to back), toggle (shared_info activation), or idle.")
    var host: HostOption = .migrate

    enum HostOption: String, CaseIterable, ExpressibleByArgument {
        case migrate, toggle, idle

        var action: HostAction {
            switch self {
            case .migrate: .migrate(everyMicroseconds: 0)
            case .toggle: .toggleActivation
            case .idle: .idle
            }
        }
    }

    func run() throws {
        // Every configuration is checked before the first runs.
        let configurations = design.map { design in
            var configuration = RunConfiguration.validation(design: design, abi: abi, seconds: seconds)
            configuration.senders = senders
            configuration.vcpus = vcpus
            configuration.host = host.action
            return configuration
        }
        for configuration in configurations {
            do { try configuration.validate() } catch { throw CommandError(error.description) }
        }
        var failed: [LockDesign] = []
        for configuration in configurations {
            let result: RunResult
            do { result = try runConfiguration(configuration) } catch { throw CommandError(error.description) }
            print(result.summaryLine)
            if configuration.design.isSafe && result.lost != 0 { failed.append(configuration.design) }
        }
        if !failed.isEmpty {
            print("LOST EVENTS in safe designs: \(failed.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(1)
        }
    }
}
