import ArgumentParser

@main
struct EvtchnBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evtchn-bench",
        abstract: "Benchmarks locking designs for Xen event-channel delivery through a gfn-to-pfn cache.",
        subcommands: [RunCommand.self, CompareCommand.self, PlotCommand.self, ListDesigns.self, TopologyCommand.self, Validate.self],
        defaultSubcommand: nil)
}
