#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CBuildInfo
import Platform

/// Facts about the machine and build that every report row carries.
public struct MachineInfo: Sendable, Equatable {
    public var host: String
    public var cpuModel: String
    public var kernel: String
    public var swiftVersion: String
    public var build: BuildInfo

    public init(host: String, cpuModel: String, kernel: String, swiftVersion: String, build: BuildInfo) {
        self.host = host
        self.cpuModel = cpuModel
        self.kernel = kernel
        self.swiftVersion = swiftVersion
        self.build = build
    }

    /// Reads this machine: hostname, /proc/cpuinfo, uname; and what this
    /// binary was built from and with.
    public static func current() -> MachineInfo {
        var name = utsname()
        _ = uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var hostBuffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&hostBuffer, hostBuffer.count) == 0
            ? String(decoding: hostBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
        return MachineInfo(host: host, cpuModel: cpuModel() ?? "unknown", kernel: kernel,
                           swiftVersion: compilerVersion, build: .thisBinary)
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

/// Provenance embedded when the binary was built (never read from the
/// folder it runs in, which may be another checkout or none).
public struct BuildInfo: Sendable, Equatable {
    /// The commit (12 hex digits) or "unknown".
    public var commit: String
    /// "clean", "dirty" (uncommitted changes were built) or "unknown".
    public var treeState: String
    /// "debug" or "release".
    public var configuration: String

    public init(commit: String, treeState: String, configuration: String) {
        self.commit = commit
        self.treeState = treeState
        self.configuration = configuration
    }

    public static let thisBinary = BuildInfo(
        commit: String(cString: evtchn_build_commit()), treeState: String(cString: evtchn_build_tree_state()),
        configuration: debugBuild ? "debug" : "release")

    private static var debugBuild: Bool {
        #if DEBUG
        true
        #else
        false
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
