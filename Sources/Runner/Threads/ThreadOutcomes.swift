import Delivery

/// What a sender thread hands back.
struct SenderOutcome: Sendable {
    var total = DeliveryCounters()
    var measured = DeliveryCounters()
    var latency = LatencyHistogram()
    var stall = LatencyHistogram()
    /// CPU time in the measured window; nil for a sender that sleeps by
    /// design (open loop, timer), which is not judged by it.
    var windowCPU: UInt64?
    var cpu: Int?
    var index = 0
}

/// What a vCPU thread hands back.
struct VCPUOutcome: Sendable {
    var deferred = DeliveryCounters()
    var deferredMeasured = DeliveryCounters()
    var outcome = UpcallOutcome()
    var merges = 0
    var latency = LatencyHistogram()
    var relocations = 0
    var relocationLatency = LatencyHistogram()
    var vanishedSelectorBits = 0
    var vanishedUpcalls = 0
    /// Poll scenario: polls a masked send ended, in the measured window.
    var pollWakeups = 0
    /// CPU time in the measured window; nil for a vCPU that sleeps by
    /// design (halt mode, the poll scenario), which is not judged by it.
    var windowCPU: UInt64?
    var cpu: Int?
    var index = 0
}
