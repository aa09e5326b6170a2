#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform

/// Facts about the machine and build that every report row carries.
public struct MachineInfo: Sendable, Equatable {
    public var host: String
    public var cpuModel: String
    public var kernel: String
    public var swiftVersion: String
    public var gitSHA: String

    public init(host: String, cpuModel: String, kernel: String, swiftVersion: String, gitSHA: String) {
        self.host = host
        self.cpuModel = cpuModel
        self.kernel = kernel
        self.swiftVersion = swiftVersion
        self.gitSHA = gitSHA
    }

    /// Reads this machine: hostname, /proc/cpuinfo, uname, the compiler
    /// this binary was built with, and the git commit of `repository`.
    public static func current(repository: String = ".") -> MachineInfo {
        var name = utsname()
        _ = uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var hostBuffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&hostBuffer, hostBuffer.count) == 0
            ? String(decoding: hostBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
        return MachineInfo(host: host, cpuModel: cpuModel() ?? "unknown", kernel: kernel,
                           swiftVersion: compilerVersion, gitSHA: gitCommit(repository: repository) ?? "unknown")
    }

    static func cpuModel() -> String? {
        guard let text = readTextFile("/proc/cpuinfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") || line.hasPrefix("Model") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingWhitespace()
            }
        }
        return nil
    }

    /// The commit checked out in `repository` (reads .git/HEAD and the ref).
    static func gitCommit(repository: String) -> String? {
        guard let head = readTextFile("\(repository)/.git/HEAD")?.trimmingWhitespace() else { return nil }
        if head.hasPrefix("ref: ") {
            let ref = String(head.dropFirst(5))
            if let sha = readTextFile("\(repository)/.git/\(ref)")?.trimmingWhitespace() { return String(sha.prefix(12)) }
            // Packed refs: "<sha> <ref>" lines.
            guard let packed = readTextFile("\(repository)/.git/packed-refs") else { return nil }
            for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
                return String(line.prefix(12))
            }
            return nil
        }
        return String(head.prefix(12))
    }

    static var compilerVersion: String {
        #if compiler(>=6.4)
        "6.4+"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }
}

/// The whole content of a small text file, or nil (missing or unreadable).
func readTextFile(_ path: String) -> String? { (try? Files.readText(path)) ?? nil }

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
