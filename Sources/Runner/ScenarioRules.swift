import Delivery

extension Scenario {
    /// The guest masks every port of this scenario, whatever the masked
    /// fraction: the poll scenario's ports are its pollers' kick ports.
    public var masksEveryPort: Bool { self == .poll }
}

extension RunConfiguration {
    /// The fraction of each sender's ports the guest masks in this run.
    public var maskedFractionInEffect: Double { scenario.masksEveryPort ? 1 : maskedFraction }

    /// This configuration as a sweep runs `scenario`: shinfo-move turns the
    /// host's migrations of shared_info into moves of it, at the same
    /// period, and keeps vcpu_info on a page of its own (its default slot
    /// lives in shared_info and would have to move too).
    public func adapted(to scenario: Scenario) -> RunConfiguration {
        var c = self
        c.scenario = scenario
        if scenario == .shinfoMove {
            c.vcpuInfoInSharedInfo = false
            if case .migrate(let every) = host { c.host = .moveSharedInfo(everyMicroseconds: every) }
        }
        return c
    }

    /// The rules of the shinfo-move scenario, part of `validate`: it needs
    /// a host that moves shared_info, vcpu_info off that page, and no other
    /// scenario moves shared_info (only shinfo-move has the spare frame).
    func validateScenarioRules() throws(RunError) {
        var moves = false
        if case .moveSharedInfo(let every) = host {
            moves = true
            guard every == 0 || Limits.microseconds.contains(every) else {
                throw .invalidConfiguration("move interval must be 0 (back to back) or between 1 and \(Limits.microseconds.upperBound) us (got \(every))")
            }
        }
        if scenario == .shinfoMove {
            guard moves else {
                throw .invalidConfiguration("the shinfo-move scenario needs a host that moves shared_info (an interval above 0)")
            }
            guard !vcpuInfoInSharedInfo else {
                throw .invalidConfiguration("the shinfo-move scenario keeps vcpu_info on its own page")
            }
        } else if moves {
            throw .invalidConfiguration("only the shinfo-move scenario moves shared_info")
        }
    }
}

extension RunResult {
    /// The summary line's words for the poll and shinfo-move scenarios.
    var scenarioSummary: String {
        switch configuration.scenario {
        case .poll: " poll_wakeups=\(pollWakeups)"
        case .shinfoMove:
            " shinfo_moves=\(sharedInfoMoves.moves) carried=\(sharedInfoMoves.carried) merged=\(sharedInfoMoves.merged) "
                + "late_bits=\(sharedInfoMoves.lateBits)"
        default: ""
        }
    }
}
