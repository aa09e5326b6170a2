import CEvtchnShim

/// CPU affinity of the calling thread.
public enum Affinity {
    /// Pins the calling thread to `cpu`.
    public static func pinSelf(to cpu: Int) throws(SystemError) {
        let rc = evtchn_pin_self_to_cpu(Int32(clamping: cpu))
        guard rc == 0 else { throw SystemError("pthread_setaffinity_np(cpu \(cpu))", code: rc) }
    }

    /// The CPUs this process may run on (sched_getaffinity), ascending.
    public static func allowedCPUs() throws(SystemError) -> [Int] {
        var buffer = [Int32](repeating: 0, count: 4096)
        let found = buffer.withUnsafeMutableBufferPointer {
            evtchn_allowed_cpus($0.baseAddress, Int32($0.count))
        }
        guard found >= 0 else { throw SystemError("sched_getaffinity", code: -found) }
        return buffer.prefix(Int(min(found, Int32(buffer.count)))).map(Int.init)
    }

    /// The CPU the caller runs on right now, or nil if the kernel won't say.
    public static func currentCPU() -> Int? {
        let cpu = evtchn_current_cpu()
        return cpu >= 0 ? Int(cpu) : nil
    }
}
