import ArgumentParser
import LockDesigns
import Runner

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Torture each design (senders racing on shared ports, guest handler, host migrating the page) and check that no event is lost.",
        discussion: "Exits non-zero if a safe design loses an event. nolock is expected to lose some (it is the negative control).")

    @OptionGroup var designOption: DesignOption

    @OptionGroup var abiOption: ABIOption

    @Option(help: "Sender threads.")
    var senders = RunConfiguration.validationSenders

    @Option(help: "vCPU threads.")
    var vcpus = RunConfiguration.validationVCPUs

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
        let configurations = designOption.design.map { design in
            var configuration = RunConfiguration.validation(design: design, abi: abiOption.abi, seconds: seconds)
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
