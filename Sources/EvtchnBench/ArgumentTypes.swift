import ArgumentParser
import Delivery
import GuestMemory
import LockDesigns
import Runner
import SweepPlan
import Topology

// Typed option values: each parsed once, here, into what the plan uses.

extension GuestABI: ExpressibleByArgument {}
extension VCPUMode: ExpressibleByArgument {}

/// `--load`.
extension PairSelection: ExpressibleByArgument {}

enum LoadOption: String, CaseIterable, ExpressibleByArgument {
    case closed, open
}

/// Transforms for options whose value is a list or a structured word; each
/// throws a one-line reason, which ArgumentParser prefixes with the option
/// and the value.
enum ArgumentValue {
    /// A comma list of names, or all.
    static func names<T: CaseIterable & RawRepresentable>(_ text: String) throws -> [T] where T.RawValue == String {
        do { return try parseNameList(text, option: "") } catch { throw ValidationError(error.reason) }
    }

    /// Thread counts: 1,2,4 or 1-4.
    static func counts(_ text: String) throws -> [Int] {
        do { return try parseCountList(text, option: "") } catch { throw ValidationError(error.reason) }
    }

    /// vCPU counts: each vCPU needs a vcpu_info slot in shared_info.
    static func vcpuCounts(_ text: String) throws -> [Int] {
        let slots = GuestABI.longMode.sharedInfo.legacyVCPUSlots
        do { return try parseCountList(text, option: "", maximum: slots, what: "the vcpu_info slots in shared_info") } catch {
            throw ValidationError(error.reason)
        }
    }

    /// A cpulist: 0-3,8.
    static func cpus(_ text: String) throws -> [Int] {
        do { return try CPUList.parse(text).cpus } catch { throw ValidationError(error.description) }
    }

    /// One CPU: there is one host thread.
    static func cpu(_ text: String) throws -> Int {
        let cpus = try cpus(text)
        guard cpus.count == 1 else { throw ValidationError("there is one host thread: give one CPU") }
        return cpus[0]
    }

    static func memory(_ text: String) throws -> MemoryChoice {
        do { return try MemoryChoice.parse(text) } catch { throw ValidationError(error.description) }
    }
}
