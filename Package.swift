// swift-tools-version:6.1
//
// evtchn-bench: a userspace model of Xen event-channel delivery through a
// gfn-to-pfn cache, with interchangeable locking designs.
//
// Targets follow the data, lowest layer first (the model: docs/model.md):
//   CEvtchnShim, CNuma  what Swift cannot import (futex, affinity, pause, lock btr, libnuma)
//   CHwloc              hwloc's topology flattened into plain arrays
//   CBuildInfo          the commit and tree state, fixed at build time (make)
//   Platform            thin typed wrappers over libc / libnuma; all file writing
//   GuestMemory         guest pages, host frames, migration, guest mode, Xen ABI layouts
//   PageCache           the gfn-to-pfn cache and the read-mostly lock contract
//   Delivery            fast path, slow path, shadow merge, guest upcall handler
//   LockDesigns         one type per locking design, chosen once at the edge
//   Topology            topology (hwloc), CPU lists, placement
//   Runner              the run's threads (Threads/), workloads, measurement,
//                       validation (torture) harness
//   Reports             CSV rows and files (schema in results/README.md)
//   SweepPlan           options -> configurations -> placements -> CPU maps;
//                       the default suite, run order, the run loop, rows
//   EvtchnBench         the command line; InstructionProbe, the instruction counter
// Tests: one target per target above that has logic (Tests/<Target>Tests;
// EvtchnBenchTests runs both executables as child processes), the others
// built on TestSupport (threads, deadlines, temporary folders, one way
// to run a body per design: DesignTest); TopologyFixtures describes other
// machines through hwloc.
// Targets that specialise the hot loop per design (sendBurst,
// EventDeliveryRun) take `hotLoop`.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
/// C targets: DWARF 4 debug information, which valgrind 3.19 (Debian 12's,
/// used by `make instructions`) reads; with two DWARF 5 units in one binary
/// it gives up on the whole file.
let dwarf4: [CSetting] = [.unsafeFlags(["-gdwarf-4"])]
/// The hot loops: specialised per design, and never merged by LLVM into one
/// body that calls each design's lock through a function pointer (its
/// function merging does that to designs whose code differs only in the
/// functions they call, such as mutex and pthread-rwlock).
/// scripts/check-fast-path-codegen.sh fails if it happens.
let hotLoop: [SwiftSetting] = strict + [.unsafeFlags(["-Xfrontend", "-disable-llvm-merge-functions-pass", "-Xllvm", "-swiftmergefunc-threshold=1000000000"])]

let package = Package(
    name: "evtchn-bench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "evtchn-bench", targets: ["EvtchnBench"]),
        .executable(name: "evtchn-probe", targets: ["InstructionProbe"]),
        .library(name: "EvtchnCore", targets: ["Platform", "GuestMemory", "PageCache", "Delivery", "LockDesigns", "Topology", "Runner", "Reports", "SweepPlan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .target(name: "CEvtchnShim", cSettings: dwarf4),
        .target(name: "CBuildInfo", cSettings: dwarf4),
        .systemLibrary(name: "CNuma", pkgConfig: "numa", providers: [.apt(["libnuma-dev"])]),
        .target(name: "CHwloc", cSettings: dwarf4, linkerSettings: [.linkedLibrary("hwloc")]),
        .target(name: "Platform", dependencies: ["CEvtchnShim", "CNuma"], swiftSettings: strict),
        .target(name: "GuestMemory", dependencies: ["Platform"], swiftSettings: strict),
        .target(name: "PageCache", dependencies: ["GuestMemory", "Platform"], swiftSettings: strict),
        .target(name: "Delivery", dependencies: ["PageCache", "GuestMemory", "Platform"], swiftSettings: strict),
        .target(name: "LockDesigns", dependencies: ["PageCache", "Platform"], swiftSettings: strict),
        .target(name: "Topology", dependencies: ["CHwloc", "Platform"], swiftSettings: strict),
        .target(name: "Runner", dependencies: ["CBuildInfo", "Topology", "Delivery", "LockDesigns", "PageCache", "GuestMemory", "Platform",
                                               .product(name: "Histogram", package: "hdrhistogram-swift")],
                swiftSettings: hotLoop),
        .target(name: "Reports", dependencies: ["Platform"], swiftSettings: strict),
        .target(name: "SweepPlan", dependencies: ["Runner", "Topology", "Reports", "Delivery", "LockDesigns", "GuestMemory", "Platform"],
                swiftSettings: hotLoop),
        .executableTarget(
            name: "EvtchnBench",
            dependencies: ["SweepPlan", "Runner", "Topology", "Reports", "LockDesigns", "GuestMemory", "Platform",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: hotLoop),
        .executableTarget(name: "InstructionProbe", dependencies: ["Runner", "LockDesigns", "PageCache"],
                          swiftSettings: hotLoop),
        .target(name: "TestSupport", dependencies: ["LockDesigns", "PageCache", "GuestMemory", "Platform"], path: "Tests/TestSupport",
                swiftSettings: strict),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "GuestMemoryTests", dependencies: ["GuestMemory", "Platform", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "PageCacheTests", dependencies: ["PageCache", "LockDesigns", "GuestMemory", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "LockDesigns", "PageCache", "GuestMemory", "Platform", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "LockDesignsTests", dependencies: ["LockDesigns", "PageCache", "Platform", "TestSupport"], swiftSettings: strict),
        .target(name: "TopologyFixtures", dependencies: ["Topology"], path: "Tests/TopologyFixtures", exclude: ["four-node.xml"],
                swiftSettings: strict),
        .testTarget(name: "TopologyTests", dependencies: ["Topology", "TopologyFixtures", "Platform"], swiftSettings: strict),
        .testTarget(name: "EvtchnBenchTests", dependencies: ["EvtchnBench", "InstructionProbe", "Reports"], swiftSettings: strict),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "LockDesigns", "Delivery", "GuestMemory", "Platform",
                                                      "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "SweepPlanTests", dependencies: ["SweepPlan", "TopologyFixtures", "Topology", "Runner", "Reports", "LockDesigns", "Delivery",
                                                         "GuestMemory", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Platform", "TestSupport"], swiftSettings: strict),
    ]
)
