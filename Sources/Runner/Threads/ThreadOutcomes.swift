import Delivery

/// What a sender thread hands back.
struct SenderOutcome: Sendable {
    var total = DeliveryCounters()
    var measured = DeliveryCounters()
    var latency = LatencyHistogram()
    var stall = LatencyHistogram()
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
    var cpu: Int?
    var index = 0
}
