import ArgumentParser
import Delivery
import GuestMemory
import LockDesigns
import Platform
import Reports
import Runner
import SweepPlan
import Topology

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a benchmark sweep and write one CSV row per configuration and repetition.",
        discussion: """
            With no options it runs the default suite, fitted to this machine: every design; the ipi \
            scenario at 1, 2, 4, ... senders up to the CPUs left after the vCPUs and the host thread; \
            1 vCPU (and 4 with 8 CPUs or more); compact placement (and split with 2 nodes or more); plus \
            the relocate scenario at the smallest configuration with every strategy. It keeps at least \
            6 repetitions of at least 0.5 s and fits --budget (5 minutes; --quick: 1) by leaving \
            configurations out: sender counts between 1 and the largest first, then relocate designs, \
            4 vCPUs, split, the largest sender count; --plan says what it left out and which option \
            brings it back. Lists given are kept. Repetitions run as interleaved passes in a shuffled \
            order (--seed, --no-interleave), each configuration's designs back to back; the summary leads \
            with each design's paired ratio to --baseline in the same pass. --plan prints all of it without running. Ctrl-C ends the \
            current run and keeps every finished row.
            """)

    @OptionGroup var designOption: DesignOption

    @Option(help: "Scenarios: ipi, pirq, timer, mixed, relocate, poll, shinfo-move (a comma list, or all). Default: ipi, plus relocate at the smallest configuration.",
            transform: ArgumentValue.names)
    var scenario: [Scenario]?

    @Option(help: ArgumentHelp("Relocate scenario: strategies \(RelocationStrategy.allCases.map(\.rawValue).joined(separator: ", ")) (a comma list, or all; default all)."),
            transform: ArgumentValue.names)
    var strategy: [RelocationStrategy]?

    @Option(help: "Relocate scenario: each vCPU moves its vcpu_info about this often (microseconds; default 2000).")
    var relocateEveryUs: Int?

    @Option(help: "Sender threads: a list like 1,2,4 or 1-4. Default: 1, 2, 4, ... up to what the machine fits.",
            transform: ArgumentValue.counts)
    var senders: [Int]?

    @Option(help: "vCPU threads: a list like 1,4. Default: 1, and 4 on machines with 8 CPUs or more.",
            transform: ArgumentValue.vcpuCounts)
    var vcpus: [Int]?

    @Option(help: "Minutes the sweep should take (more than 0, at most 1440); what is not given is fitted to it. Default: 5 (--quick: 1).")
    var budget: Double?

    @Option(help: "Measured seconds per run. Default: scaled to the budget (0.5 to 2).")
    var duration: Double?

    @Option(help: "Warm-up seconds per run, not measured. Default: 0.25 (--quick: 0.1).")
    var warmup: Double?

    @Option(help: "Repetitions of each configuration. Default: 6, more only when 2-second runs leave the budget room.")
    var reps: Int?

    @Flag(help: "A suite of about 1 minute (--budget 1) with 0.1 s warm-ups.")
    var quick = false

    @Flag(help: "Print the configurations, where each thread goes, the number of runs and the estimated time; run nothing.")
    var plan = false

    @Option(help: "Seed of the shuffled order of each pass (printed and recorded as order_seed).")
    var seed: UInt64?

    @Flag(help: "Run each configuration's repetitions back to back instead of in interleaved passes.")
    var noInterleave = false

    @Option(help: "The design the summary's paired ratios divide by, pass by pass (one of the run's designs). Default: rwlock, else the first design listed.")
    var baseline: String?

    @OptionGroup var abiOption: ABIOption

    @Option(help: "Ports each sender sends to. Default: 16, fewer where senders x 16 exceed the guest's ports.")
    var portsPerSender: Int?

    @Option(help: "Fraction of each sender's ports the guest masks (0...1).")
    var maskedFraction = 0.0

    @Option(help: "Migrate the shared_info page every this many microseconds (0: never); shinfo-move: move it this often.")
    var invalidateEveryUs = 1000

    @Option(help: "vCPU mode: poll (running guest) or halt (sleeps until kicked).")
    var vcpuMode: VCPUMode = .poll

    @Option(help: "Load: closed (as fast as possible) or open (each sender at --rate).")
    var load: LoadOption = .closed

    @Option(help: "Open loop: sends per second per sender (default 100000).")
    var rate: Double?

    @Option(help: "Timer and mixed scenarios: events per second per timer (default 10000).")
    var timerRate: Double?

    @Option(help: "Thread placement by tier (docs/placement.md): compact (a core each), smt (siblings), scatter, split (a comma list, or all). Default: compact, and split with 2 nodes or more.",
            transform: ArgumentValue.names)
    var placement: [PlacementPolicy]?

    @Option(help: ArgumentHelp("One design's sender x vCPU matrix, 1 sender + 1 vCPU per cell: all (every pair of CPUs) or sample (the first CPU of each last-level cache against each other, plus an SMT pair and a pair inside one cache). plot draws it as a heatmap.", valueName: "all|sample"))
    var pairs: PairSelection?

    @Option(name: .customLong("sender-cpus"), help: "Explicit CPUs for senders (cpulist, e.g. 0-3,8).", transform: ArgumentValue.cpus)
    var senderCPUs: [Int]?

    @Option(name: .customLong("vcpu-cpus"), help: "Explicit CPUs for vCPU threads.", transform: ArgumentValue.cpus)
    var vcpuCPUs: [Int]?

    @Option(name: .customLong("host-cpus"), help: "Explicit CPU for the host thread (one).", transform: ArgumentValue.cpu)
    var hostCPU: Int?

    @Option(help: "Guest memory: a node number, local (the vCPUs' node) or interleave.", transform: ArgumentValue.memory)
    var memNode: MemoryChoice = .local

    @Option(help: "With --plan, plan for another machine: a dump folder (sys/, proc/), an lstopo XML file, or synthetic:DESCRIPTION (its own allowed CPUs usable).")
    var topology: String?

    @Flag(help: "Do not pin threads (let the scheduler place them).")
    var noPin = false

    @Option(help: "CSV file to write, in a folder that exists (default results/<utc-timestamp>-<host>.csv; results/ is created if missing).")
    var output: String?

    @Flag(help: "When the sweep finishes, draw the report's pictures (as `evtchn-bench plot REPORT` does).")
    var plot = false

    @Option(help: "Also write each row's latency histograms (HdrHistogram percentile-distribution text) into this folder.")
    var histograms: String?

    func run() throws {
        let sweep: SweepPlan
        do {
            // Planned for another machine (--plan with --topology), its own
            // allowed CPUs count: this process's affinity says nothing about
            // that machine. A real run keeps to the CPUs this process may use.
            guard topology == nil || plan else {
                throw CommandError("--topology describes another machine: plan with --plan, run on the machine itself")
            }
            let source = try topology.map(TopologySource.parse) ?? .thisSystem
            let topology = try TopologyDiscovery.discover(source)
            sweep = try SweepPlan.make(sweepOptions(), topology: topology)
        } catch let error as CommandError { throw error } catch { throw CommandError(String(describing: error)) }
        let designs = sweep.configurations.reduce(into: [String]()) { designs, planned in
            let design = planned.configuration.design.rawValue
            if !designs.contains(design) { designs.append(design) }
        }
        guard let baseline = PairedRatios.baseline(among: designs, asked: baseline) else {
            throw CommandError("--baseline \(printable(baseline ?? "")) is not among the run's designs (\(designs.joined(separator: ",")))")
        }
        let machine = MachineInfo.current()
        let path = output ?? defaultReportPath(secondsSinceEpoch: secondsSinceEpoch(), host: machine.host)
        let printer = SweepPrinter(plan: sweep, machine: machine, path: path, baseline: baseline)
        // A plan writes nothing, so it needs no output folder.
        if plan {
            printer.printPlan()
            return
        }
        // Before the report is opened: a wait for another run's lock on it
        // ends at Ctrl-C or SIGTERM, writing nothing.
        do { try Interruption.install() } catch { throw CommandError(error.description) }
        let out: SweepOutput
        do {
            if output == nil { try SweepOutput.makeDefaultFolder(of: path) }
            try SweepOutput.check(path: path, histogramFolder: histograms)
        } catch { throw CommandError(error.description) }
        if plot { try PlotCommand.checkOutputs(of: path) }
        do { out = try SweepOutput(path: path, histogramFolder: histograms) } catch { throw CommandError(error.description) }
        try printer.run(output: out)
        if plot { try PlotCommand.draw(path, ignoreHost: false, baseline: baseline) }
    }

    /// The options as typed values, for the plan to check and expand.
    private func sweepOptions() -> SweepOptions {
        var o = SweepOptions()
        o.designs = designOption.design
        o.scenarios = scenario
        o.strategies = strategy
        o.relocateEveryMicroseconds = relocateEveryUs
        o.openLoop = load == .open
        o.rate = rate
        o.timerRate = timerRate
        o.senders = senders
        o.vcpus = vcpus
        o.placements = placement
        o.pairs = pairs
        o.durationSeconds = duration
        o.warmupSeconds = warmup
        o.reps = reps
        o.budgetMinutes = budget
        o.quick = quick
        o.senderCPUs = senderCPUs
        o.vcpuCPUs = vcpuCPUs
        o.hostCPU = hostCPU
        o.memory = memNode
        o.pin = !noPin
        o.seed = seed
        o.interleave = !noInterleave
        o.template.abi = abiOption.abi
        o.template.vcpuMode = vcpuMode
        o.template.host = invalidateEveryUs == 0 ? .idle : .migrate(everyMicroseconds: invalidateEveryUs)
        o.portsPerSender = portsPerSender
        o.template.maskedFraction = maskedFraction
        return o
    }
}
