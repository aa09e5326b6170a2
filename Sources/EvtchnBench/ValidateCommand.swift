import ArgumentParser
import LockDesigns
import Runner

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Torture each design (senders racing on shared ports, guest handler, host migrating the page) and check that no event is lost.",
        discussion: """
            Each run checks, before the final drain, that every event set is signalled (selector and upcall), \
            then that every event is handled. Exits 0 only when every verdict matches its expectation: no safe \
            design lost an event, and nolock (the negative control), when it runs, lost at least one, which \
            shows the run could see a loss at all. Exit status 1 otherwise.
            """)

    @OptionGroup var designOption: DesignOption

    @OptionGroup var abiOption: ABIOption

    @Option(help: "Sender threads.")
    var senders = RunConfiguration.validationSenders

    @Option(help: "vCPU threads.")
    var vcpus = RunConfiguration.validationVCPUs

    @Option(help: "Seconds each design runs.")
    var seconds = RunConfiguration.validationSeconds

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
        var lostInSafe: [LockDesign] = []
        var controlsWithoutLoss: [LockDesign] = []
        for configuration in configurations {
            let result: RunResult
            do { result = try runConfiguration(configuration) } catch { throw CommandError(error.description) }
            print(result.summaryLine)
            if configuration.design.isSafe, result.lost != 0 { lostInSafe.append(configuration.design) }
            if !configuration.design.isSafe, result.lost == 0 { controlsWithoutLoss.append(configuration.design) }
        }
        if !lostInSafe.isEmpty {
            print("LOST EVENTS in safe designs: \(lostInSafe.map(\.rawValue).joined(separator: ", "))")
        }
        if !controlsWithoutLoss.isEmpty {
            print("NO LOSS in the negative control \(controlsWithoutLoss.map(\.rawValue).joined(separator: ", ")): "
                  + "this run could not have seen a loss; run longer (--seconds)")
        }
        if !lostInSafe.isEmpty || !controlsWithoutLoss.isEmpty { throw ExitCode(1) }
        print("validate: every verdict as expected")
    }
}
