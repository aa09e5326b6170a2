/// Every column's role, unit and meaning: the schema's one source.
/// Counts cover the measured window unless the meaning says "whole run".
extension Column {
    public var info: ColumnInfo {
        switch self {
        case .utcTime: ColumnInfo(.provenance, "ISO 8601", "when the row was written")
        case .host: ColumnInfo(.key, "text", "host name; part of the key (`compare` and `plot` take `--ignore-host`)")
        case .cpuModel: ColumnInfo(.provenance, "text", "`/proc/cpuinfo` model name")
        case .kernel: ColumnInfo(.provenance, "text", "`uname -r`")
        case .swiftVersion: ColumnInfo(.provenance, "text", "compiler the binary was built with")
        case .gitSHA: ColumnInfo(.provenance, "text", "commit the binary was built from, fixed at build time by `make` "
                                 + "(`unknown` when built without `make` or outside a git checkout)")
        case .numaNodes: ColumnInfo(.provenance, "count", "NUMA nodes found (hwloc; memory-only ones included)")
        case .cpus: ColumnInfo(.provenance, "count", "CPUs this process may use")
        case .design: ColumnInfo(.key, "name", "locking design (`evtchn-bench list`)")
        case .scenario: ColumnInfo(.key, "name", "`ipi`, `pirq`, `timer`, `mixed`, `relocate`, `poll`, `shinfo-move`")
        case .guestABI: ColumnInfo(.key, "`64` / `32`", "guest ABI (layouts, 4096 or 1024 ports)", absent: "64")
        case .senders: ColumnInfo(.key, "count", "sender threads")
        case .vcpus: ColumnInfo(.key, "count", "vCPU threads (guest handler)")
        case .placement: ColumnInfo(.key, "name", "`compact`, `smt`, `scatter`, `split`; `explicit` when `--sender-cpus`, "
                                    + "`--vcpu-cpus` and `--host-cpus` were all given, `<policy>+explicit` when some were; "
                                    + "`unpinned` with `--no-pin`")
        case .memNode: ColumnInfo(.key, "node / `interleave`", "where guest memory was asked to go")
        case .pageNode: ColumnInfo(.measurement, "node / `unknown`",
                                   "node the shared_info page actually sits on (`get_mempolicy`)")
        case .senderCPUs: ColumnInfo(.measurement, "cpulist", "CPUs the sender threads were on at the end of the run")
        case .vcpuCPUs: ColumnInfo(.measurement, "cpulist", "CPUs the vCPU threads were on at the end of the run")
        case .invalidateEveryMicroseconds: ColumnInfo(.key, "µs", "host migrates the shared_info page this often "
                                                      + "(0 = never); shinfo-move: moves shared_info to another frame this often")
        case .loadMode: ColumnInfo(.key, "`closed` / `open`", "as fast as possible, or each sender at `rate_per_sender`",
                                   absent: "closed")
        case .durationSeconds: ColumnInfo(.run, "s", "measured window, as actually timed")
        case .rep: ColumnInfo(.run, "count", "repetition, from 1; with interleaving (the default) also the pass")
        case .sends: ColumnInfo(.measurement, "count", "sends made")
        case .delivered: ColumnInfo(.measurement, "count", "pending bit 0→1 on an unmasked port (selector raised)")
        case .coalesced: ColumnInfo(.measurement, "count", "pending bit already set: nothing else touched")
        case .masked: ColumnInfo(.measurement, "count", "pending bit 0→1 on a masked port")
        case .wouldBlock: ColumnInfo(.measurement, "count",
                                     "sends whose fast path said would-block (slow path, or timer deferral)")
        case .retries: ColumnInfo(.measurement, "count", "refreshes done by the slow path")
        case .dropped: ColumnInfo(.measurement, "count", "events a trylock-or-drop design dropped")
        case .handled: ColumnInfo(.measurement, "count", "events the guest handler cleared (whole run)")
        case .lost: ColumnInfo(.measurement, "count", "`unsignalled` + (newly set − handled − unsignalled) (+ stale "
                               + "writes no replay covered, for replaying designs), whole run; each lost event counts once; "
                               + "must be 0 for safe designs")
        case .sendsPerSecond: ColumnInfo(.measurement, "1/s", "`sends / duration_s`")
        case .deliveredPerSecond: ColumnInfo(.measurement, "1/s", "`delivered / duration_s`")
        case .fairnessMinOverMax: ColumnInfo(.measurement, "ratio", "fewest over most sends of any sender (1 = even)")
        case .gini: ColumnInfo(.measurement, "ratio", "Gini coefficient of per-sender sends (0 = even)")
        case .sendP50: ColumnInfo(.measurement, "ns", "cost of one send call, median: a sample of sends (one in 64 in "
                                  + "closed loop, all in open loop, there from the scheduled send time)")
        case .sendP99: ColumnInfo(.measurement, "ns", "cost of one send call, 99th percentile (sampled as `send_p50_ns`)")
        case .sendP999: ColumnInfo(.measurement, "ns", "cost of one send call, 99.9th percentile")
        case .sendMax: ColumnInfo(.measurement, "ns", "cost of one send call, largest sampled")
        case .e2eP50: ColumnInfo(.measurement, "ns", "end to end, median: from the send (open loop: its scheduled time) "
                                 + "to the guest handler seeing the port")
        case .e2eP90: ColumnInfo(.measurement, "ns", "end to end, 90th percentile")
        case .e2eP99: ColumnInfo(.measurement, "ns", "end to end, 99th percentile")
        case .e2eP999: ColumnInfo(.measurement, "ns", "end to end, 99.9th percentile")
        case .e2eMax: ColumnInfo(.measurement, "ns", "end to end, largest")
        case .timerOverhead: ColumnInfo(.measurement, "ns", "median cost of one pair of clock reads; not subtracted anywhere")
        case .hostCPUs: ColumnInfo(.measurement, "cpulist", "CPU the host thread was on at the end of the run")
        case .senderNodes: ColumnInfo(.measurement, "node list", "NUMA nodes of the CPUs in `sender_cpus`")
        case .vcpuNodes: ColumnInfo(.measurement, "node list", "NUMA nodes of the CPUs in `vcpu_cpus`")
        case .vcpuMode: ColumnInfo(.key, "`poll` / `halt`", "vCPUs spin for work, or sleep until kicked", absent: "poll")
        case .portsPerSender: ColumnInfo(.key, "count", "ports each sender uses", absent: "16")
        case .maskedFraction: ColumnInfo(.key, "ratio", "fraction of each sender's ports the guest masked (poll: 1, every port)",
                                         absent: "0.0000")
        case .ratePerSender: ColumnInfo(.key, "1/s", "sends per second of each sender, open loop only (empty: closed loop)")
        case .oversubscribed: ColumnInfo(.provenance, "`true`/`false`", "busy threads (senders, vCPUs) share a CPU, or the "
                                         + "host thread shares one while migrating more often than every 100 µs: results are distorted")
        case .migrations: ColumnInfo(.measurement, "count", "page migrations the host made (whole run)")
        case .replays: ColumnInfo(.measurement, "count", "read sections redone because a writer overlapped (seqlock)")
        case .duplicates: ColumnInfo(.measurement, "count", "events handled more than once (seqlock replays; whole run)")
        case .staleBits: ColumnInfo(.measurement, "count", "bits written into retired frames after their copy (0 for every "
                                    + "design but seqlock and nolock; whole run)")
        case .spuriousUpcalls: ColumnInfo(.measurement, "count", "upcalls in which the handler found nothing to handle (whole run)")
        case .shadowMerges: ColumnInfo(.measurement, "count", "shadow selector merges on vCPU entry (whole run)")
        case .speedupVsOneSender: ColumnInfo(.measurement, "ratio", "`sends_per_s` over that of the latest 1-sender run "
                                             + "before it whose key differs only in `senders`; empty until one has run")
        case .warmupSeconds: ColumnInfo(.run, "s", "warm-up before the measured window")
        case .inactive: ColumnInfo(.measurement, "count", "sends refused because shared_info was inactive")
        case .lostFlag: ColumnInfo(.measurement, "`LOST` / empty", "marks rows with `lost > 0`")
        case .unsignalled: ColumnInfo(.measurement, "count", "events pending on an unmasked port but not signalled when the "
                                      + "threads stopped (no selector bit in the bound vCPU's vcpu_info or shadow, or no "
                                      + "`upcall_pending` and an empty shadow): lost, and part of `lost`")
        case .strategy: ColumnInfo(.key, "name", "relocate scenario: `quiesce`, `both-locks`, `forced-slow`, "
                                   + "`forced-slow-drain`, `deactivate`, `xen-mark-all` (empty otherwise)")
        case .relocations: ColumnInfo(.measurement, "count", "vcpu_info moves made (to the explicit address and back)")
        case .senderStallP50: ColumnInfo(.measurement, "ns", "how long senders were held up by relocations, median: time "
                                         + "parked at the quiesce gate, and every send made while a relocation ran")
        case .senderStallMax: ColumnInfo(.measurement, "ns", "how long senders were held up by relocations, largest")
        case .relocationP50: ColumnInfo(.measurement, "ns", "how long one move took on the vCPU thread, median "
                                        + "(quiesce: including stopping the senders)")
        case .relocationMax: ColumnInfo(.measurement, "ns", "how long one move took on the vCPU thread, largest")
        case .vanishedSelectorBits: ColumnInfo(.measurement, "count", "selector bits events had set in the new vcpu_info "
                                               + "that the move's copy overwrote; part of `lost`")
        case .pollWakeups: ColumnInfo(.measurement, "count", "poll scenario: polls (SCHEDOP_poll) that a masked send ended")
        case .sharedInfoMoves: ColumnInfo(.measurement, "count", "shinfo-move scenario: moves of shared_info to another "
                                          + "guest frame (whole run)")
        case .histograms: ColumnInfo(.provenance, "path prefix", "with `run --histograms DIR`: this row's latency histograms "
                                     + "are `<prefix>.send.hgrm`, `<prefix>.e2e.hgrm` (and `.stall.hgrm` for relocate), "
                                     + "HdrHistogram percentile-distribution text, values in ns")
        case .gitDirty: ColumnInfo(.provenance, "`true` / `false` / `unknown`", "what was built (`Package.swift`, "
                                   + "`Sources/`) had uncommitted changes, tracked or untracked")
        case .buildConfiguration: ColumnInfo(.provenance, "`debug` / `release`",
                                             "how the binary was compiled; only release rows measure the designs")
        case .orderSeed: ColumnInfo(.provenance, "integer", "seed of the shuffled order of the passes (`run --seed N` "
                                    + "repeats it); empty with `--no-interleave`")
        case .runOrder: ColumnInfo(.run, "count", "the run's position in the sweep, from 1: drifts over time show against it")
        case .hostNodes: ColumnInfo(.measurement, "node list", "NUMA node of the CPU in `host_cpus`")
        case .pairTier: ColumnInfo(.provenance, "`smt` / `llc` / `node` / `remote`", "the farthest tier between a sender "
                                   + "and a vCPU it sends to: same core, same last-level cache, same NUMA node, another node; "
                                   + "empty unpinned")
        case .pairDistance: ColumnInfo(.provenance, "SLIT distance", "the largest SLIT distance between a sender and a vCPU "
                                       + "it sends to (10: one node); empty when the machine gives none, or unpinned")
        case .smtShared: ColumnInfo(.provenance, "`true`/`false`", "two busy threads (senders, vCPUs) shared a core "
                                    + "(SMT siblings or one PU); empty unpinned")
        case .packages: ColumnInfo(.provenance, "count", "processor packages (sockets) of the machine")
        case .cores: ColumnInfo(.provenance, "count", "cores of the machine")
        case .pus: ColumnInfo(.provenance, "count", "hardware threads (PUs) of the machine")
        case .llcDomains: ColumnInfo(.provenance, "count", "last-level cache domains of the machine (0: none described)")
        case .memPlacement: ColumnInfo(.measurement, "`as-asked` / `failed` / `unknown` / `interleave` / `local`",
                                       "whether guest memory went where `mem_node` asked: `failed` when the shared_info page "
                                       + "sits on another node (`page_node`; mbind refused or the node was full)")
        case .intendedSeconds: ColumnInfo(.run, "s", "measured window asked for (`--duration`); `duration_s` is what it lasted")
        case .windowCPUMinSeconds: ColumnInfo(.measurement, "s", "least CPU time (`CLOCK_THREAD_CPUTIME_ID`) that a thread "
                                              + "meant to run the whole window got in it: closed-loop senders of non-timer "
                                              + "events, poll-mode vCPUs; empty when the run has none")
        case .suspect: ColumnInfo(.measurement, "reasons, `;`-separated", "why the row may describe the machine, not the "
                                  + "design: `window-stretched` (`duration_s` over 1.25 × `intended_s`), `thread-starved` "
                                  + "(`window_cpu_min_s` under half of `duration_s`, not oversubscribed), `nothing-delivered` "
                                  + "(closed-loop senders, unmasked ports, `delivered` 0), `c2c-changed` (`c2c_ns` and `c2c_after_ns` 1.5 × "
                                  + "apart or more); empty: none. The summary, `compare` "
                                  + "and paired ratios leave such rows out and count them")
        case .c2cNanoseconds: ColumnInfo(.measurement, "ns", "one-way cache-line hand-off between a sender's CPU and its "
                                         + "vCPU's, median over up to 8 sender-vCPU pairs, each the median batch of a ~1 ms "
                                         + "ping-pong on the run's own threads just before the warm-up; empty when the probe "
                                         + "was abandoned (a partner could not run)")
        case .c2cMaxNanoseconds: ColumnInfo(.measurement, "ns", "the slowest pair's hand-off in the probe of `c2c_ns`")
        case .c2cAfterNanoseconds: ColumnInfo(.measurement, "ns", "as `c2c_ns`, probed right after the measured window; "
                                              + "1.5 × apart or more: the row is suspect (`c2c-changed`)")
        case .hostSharesCPU: ColumnInfo(.provenance, "`true`/`false`", "the host thread shares a CPU with a sender or vCPU "
                                        + "(it sleeps between migrations, so this alone is not oversubscription)")
        }
    }
}
