#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import Platform
import Topology

@main
struct EvtchnBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evtchn-bench",
        abstract: "Benchmarks locking designs for Xen event-channel delivery through a gfn-to-pfn cache.",
        subcommands: [RunCommand.self, CompareCommand.self, PlotCommand.self, ListCommand.self, TopologyCommand.self,
                      ValidateCommand.self, SchemaCommand.self, CheckPlacementCommand.self],
        defaultSubcommand: nil)

    /// As ArgumentParser's own main, except that a failure is one line
    /// ("Error: ...") without the usage text that would bury it; help and
    /// clean exits are left to ArgumentParser.
    static func main() {
        // Before anything is opened: a closed stdout would make the report
        // descriptor 1. Nothing can be printed if this fails.
        do { try Interruption.ensureStandardDescriptors() } catch { terminate(1) }
        do {
            var command = try parseAsRoot()
            try command.run()
            // A write that failed (a full disk, a closed pipe) is a failure.
            if !Interruption.checkOutput() { terminate(Interruption.exitStatus) }
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            if !message.isEmpty { printError("Error: \(message)") }
            // Stopped by a signal (a wait for a report's lock): 128 + its number.
            terminate(Interruption.signal.map(Interruption.exitStatus(after:)) ?? code.rawValue)
        }
    }
}

/// A command-line error: one line, non-zero exit, no usage dump.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One line on standard error (written whole, unbuffered).
private func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// The C library's exit, out of reach of ParsableCommand's `exit(withError:)`.
private func terminate(_ code: Int32) -> Never { exit(code) }
