import ArgumentParser
import GuestMemory
import LockDesigns
import Platform
import Reports
import Runner

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a benchmark sweep and write one CSV row per configuration and repetition.",
        discussion: """
            With no options it runs the default suite: every design, the ipi scenario, 1 and 2 senders, \
            1 vCPU, 3 repetitions of 1.5 s after 0.25 s of warm-up, the host migrating the shared_info page \
            every 1000 us (about 2 minutes on 2 cores). Lists (--design, --scenario, --senders, --vcpus) \
            make a sweep. Ctrl-C ends the current run and keeps every finished row.
            """)

    @Option(help: "Designs: a comma list, or all.")
    var design = "all"

    @Option(help: "Scenarios: ipi, pirq, timer, mixed, relocate (a comma list, or all).")
    var scenario = "ipi"

    @Option(help: "Relocate scenario: strategies quiesce, both-locks, forced-slow, deactivate, xen-mark-all (a comma list, or all).")
    var strategy = "all"

    @Option(help: "Relocate scenario: each vCPU moves its vcpu_info about this often (microseconds).")
    var relocateEveryUs = 2_000

    @Option(help: "Sender threads: a list like 1,2,4 or 1-4.")
    var senders = "1,2"

    @Option(help: "vCPU threads: a list like 1,2.")
    var vcpus = "1"

    @Option(help: "Measured seconds per run.")
    var duration = 1.5

    @Option(help: "Warm-up seconds per run (not measured).")
    var warmup = 0.25

    @Option(help: "Repetitions of each configuration.")
    var reps = 3

    @Option(help: "Guest ABI: 64 or 32.")
    var abi = "64"

    @Option(help: "Ports each sender sends to.")
    var portsPerSender = 16

    @Option(help: "Fraction of each sender's ports the guest masks (0...1).")
    var maskedFraction = 0.0

    @Option(help: "Migrate the shared_info page every this many microseconds (0: never).")
    var invalidateEveryUs = 1000

    @Option(help: "vCPU mode: poll (running guest) or halt (sleeps until kicked).")
    var vcpuMode = "poll"

    @Option(help: "Load: closed (as fast as possible) or open (each sender at --rate).")
    var load = "closed"

    @Option(help: "Open loop: sends per second per sender.")
    var rate = 100_000.0

    @Option(help: "Timer scenario: events per second per timer.")
    var timerRate = 10_000.0

    @Option(help: "Thread placement: compact, scatter or split.")
    var placement = "compact"

    @Option(name: .customLong("sender-cpus"), help: "Explicit CPUs for senders (cpulist, e.g. 0-3,8).")
    var senderCPUs: String?

    @Option(name: .customLong("vcpu-cpus"), help: "Explicit CPUs for vCPU threads.")
    var vcpuCPUs: String?

    @Option(name: .customLong("host-cpus"), help: "Explicit CPU for the host thread.")
    var hostCPUs: String?

    @Option(help: "Guest memory: a node number, local (the vCPUs' node) or interleave.")
    var memNode = "local"

    @Option(help: "Read the topology from this sysfs-shaped folder instead of /sys.")
    var sysfsRoot = "/sys"

    @Flag(help: "Do not pin threads (let the scheduler place them).")
    var noPin = false

    @Option(help: "CSV file to write (default results/<utc-timestamp>-<host>.csv).")
    var output: String?

    @Option(help: "Also write each row's latency histograms (HdrHistogram percentile-distribution text) into this folder.")
    var histograms: String?

    func run() throws {
        let plan = try SweepSetup(self).make()
        try SweepRunner(plan: plan, pin: !noPin).run()
    }
}
