// swift-tools-version:6.1
//
// Single-thread micro-benchmarks of evtchn-bench's fast path, per locking
// design (ordo-one/benchmark). Run from this folder:
//   swift package --allow-writing-to-package-directory benchmark
import PackageDescription

let package = Package(
    name: "evtchn-bench-microbenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(name: "evtchn-bench", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "DeliveryBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EvtchnCore", package: "evtchn-bench"),
            ],
            path: "Benchmarks/DeliveryBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
