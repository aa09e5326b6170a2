#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which machine hwloc describes: this one, or another one from a file,
/// so that placement on a two-socket server can be planned on a laptop.
public enum TopologySource: Equatable, Sendable, CustomStringConvertible {
    case thisSystem
    /// A folder holding another machine's sys/ and proc/, as
    /// hwloc-gather-topology copies them.
    case dump(String)
    /// An XML file written on the machine by `lstopo machine.xml`.
    case xml(String)
    /// An hwloc synthetic description, e.g. "pack:2 numa:1 core:4 pu:2".
    case synthetic(String)

    /// The synthetic form's prefix in `--topology`.
    public static let syntheticPrefix = "synthetic:"

    /// `--topology`'s argument: "synthetic:<description>", a folder (a
    /// dump, which must hold sys/devices/system/cpu) or a file (XML).
    public static func parse(_ argument: String) throws(TopologyError) -> TopologySource {
        if argument.hasPrefix(syntheticPrefix) { return .synthetic(String(argument.dropFirst(syntheticPrefix.count))) }
        switch FileKind(argument) {
        case .unreadable(let code):
            throw .unreadable(path: argument, code: code)
        case .file:
            return .xml(argument)
        case .folder:
            guard case .folder = FileKind(argument + "/sys/devices/system/cpu") else {
                throw .notATopology(path: argument, problem: "no sys/devices/system/cpu in it: not a machine dump "
                                    + "(give the folder holding sys/ and proc/, or an lstopo XML file)")
            }
            return .dump(argument)
        case .other:
            throw .notATopology(path: argument, problem: "neither a folder (machine dump) nor a file (lstopo XML)")
        }
    }

    /// For the run's report and `topology`'s first line.
    public var description: String {
        switch self {
        case .thisSystem: "hwloc, this machine"
        case .dump(let path): "hwloc, machine dump at \(path)"
        case .xml(let path): "hwloc, XML at \(path)"
        case .synthetic(let description): "hwloc, synthetic \"\(description)\""
        }
    }

}

/// What a path names, as stat(2) says.
private enum FileKind {
    case unreadable(Int32), file, folder, other

    init(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            self = .unreadable(errno)
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .folder
        default: self = .other
        }
    }
}
