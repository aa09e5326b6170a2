#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform

/// The only file that touches the filesystem for topology discovery, one
/// thin wrapper per call, as in swift-system: sysfs files are small text
/// files read whole, and every failure keeps its path and errno.
enum SysfsFiles {
    /// The whole file as text. sysfs reports a size of 4096 for files that
    /// hold a few bytes, so this reads to end of file instead of trusting
    /// st_size.
    static func contents(_ path: String) throws(TopologyError) -> String {
        let text: String?
        do throws(SystemError) { text = try Files.readText(path) } catch { throw .unreadable(path: path, code: error.code) }
        guard let text else { throw .unreadable(path: path, code: ENOENT) }
        return text
    }

    /// The file as text, or nil when it does not exist: for the files that
    /// older or stripped-down kernels leave out (distance, meminfo). Any
    /// other failure is still an error.
    static func contentsIfPresent(_ path: String) throws(TopologyError) -> String? {
        do throws(TopologyError) { return try contents(path) } catch .unreadable(_, ENOENT) { return nil }
    }

    /// Nil when `path` is a directory, else the errno that says why not.
    static func directoryProblem(_ path: String) -> Int32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno }
        return info.st_mode & S_IFMT == S_IFDIR ? nil : ENOTDIR
    }
}
