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
            guard code != .success else {
                // Help, printed here rather than by ArgumentParser's exit,
                // so that help lost to a full disk or closed pipe fails.
                let text = fullMessage(for: error)
                if !text.isEmpty { print(text) }
                if !Interruption.checkOutput() { terminate(Interruption.exitStatus) }
                terminate(0)
            }
            let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            if !message.isEmpty { printError("Error: \(shortenedWords(message))") }
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

/// The error line, with every word (a path, a name) longer than
/// `wordLimit` shortened to its start and end around "…", and control
/// characters shown as "?": a 4 KB path, wherever in the code it was put
/// into a message, and however many times, still leaves one readable line.
func shortenedWords(_ line: String, wordLimit: Int = 80) -> String {
    line.split(separator: " ", omittingEmptySubsequences: false).map { word in
        let scalars = word.unicodeScalars.map { $0.value < 0x20 || ($0.value >= 0x7f && $0.value < 0xa0) ? "?" : $0 }
        guard scalars.count > wordLimit else { return String(String.UnicodeScalarView(scalars)) }
        let head = scalars.prefix(wordLimit * 2 / 3), tail = scalars.suffix(wordLimit - wordLimit * 2 / 3 - 1)
        return String(String.UnicodeScalarView(head)) + "…" + String(String.UnicodeScalarView(tail))
    }.joined(separator: " ")
}

/// The C library's exit, out of reach of ParsableCommand's `exit(withError:)`.
private func terminate(_ code: Int32) -> Never { exit(code) }
