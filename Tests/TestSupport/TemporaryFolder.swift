#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder under /tmp, removed with its files and empty subfolders
/// when the test ends.
public final class TemporaryFolder {
    public let path: String
    public init() {
        var template = Array("/tmp/evtchn-reports-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    deinit {
        if let folder = opendir(path) {
            while let entry = readdir(folder) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." && unlink(path + "/" + name) != 0 { rmdir(path + "/" + name) }
            }
            closedir(folder)
        }
        rmdir(path)
    }
    public func contents(_ name: String) -> String? { readText(path + "/" + name) }
    public func exists(_ name: String) -> Bool { access(path + "/" + name, F_OK) == 0 }
}

/// The whole file as UTF-8 text, or nil if it cannot be read.
public func readText(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    while case let c = fgetc(file), c != EOF { bytes.append(UInt8(c)) }
    return String(decoding: bytes, as: UTF8.self)
}

/// The package root: this file is Tests/TestSupport/TemporaryFolder.swift.
public func repositoryRoot(_ file: String = #filePath) -> String {
    var parts = file.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}
