#if canImport(Glibc)
import Glibc
#endif
import Platform
import TestSupport
import Testing

@Suite("Files")
struct FilesTests {
    @Test("writeAtomically writes the bytes, keeps a file's mode and leaves no temporary file")
    func writeAtomically() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/report.txt"
        try Files.writeAtomically(Array("one\n".utf8), to: path, through: path + ".tmp", permissions: nil)
        #expect(folder.contents("report.txt") == "one\n")
        #expect(try Files.status(path)?.permissions == 0o644 & ~currentUmask())
        try Files.writeAtomically(Array("two\n".utf8), to: path, through: path + ".tmp", permissions: 0o600)
        #expect(folder.contents("report.txt") == "two\n")
        #expect(try Files.status(path)?.permissions == 0o600)
        #expect(!folder.exists("report.txt.tmp"))
    }

    @Test("writeAtomically refuses a leftover temporary file (EEXIST) and leaves both files alone")
    func leftoverTemporary() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/report.txt"
        try Files.writeAtomically(Array("kept\n".utf8), to: path + ".tmp", through: path + ".tmp.tmp", permissions: nil)
        #expect { try Files.writeAtomically(Array("new\n".utf8), to: path, through: path + ".tmp", permissions: nil) }
            throws: { ($0 as? SystemError)?.code == EEXIST }
        #expect(folder.contents("report.txt.tmp") == "kept\n")
        #expect(!folder.exists("report.txt"))
    }

    @Test("makeFolder, status kinds, isWritable, remove")
    func folders() throws {
        let folder = TemporaryFolder()
        let sub = folder.path + "/sub"
        try Files.makeFolder(sub)
        #expect(try Files.status(sub)?.kind == .directory)
        #expect(Files.isWritable(sub))
        #expect { try Files.makeFolder(sub) } throws: { ($0 as? SystemError)?.code == EEXIST }
        #expect(try Files.status("/dev/null")?.kind == .characterDevice)
        #expect(try Files.status(folder.path + "/missing") == nil)
        try Files.remove(folder.path + "/missing")
        rmdir(sub)
    }

    @Test("readText stops a device that never ends (EFBIG) and says nil for a missing file")
    func readText() throws {
        #expect(try Files.readText("/nonexistent/evtchn") == nil)
        #expect { try Files.readText("/dev/zero", limit: 1 << 16) } throws: { ($0 as? SystemError)?.code == EFBIG }
    }

    @Test("split into folder and name")
    func split() {
        #expect(Files.split("a/b/c") == ("a/b", "c"))
        #expect(Files.split("c") == (".", "c"))
        #expect(Files.split("/c") == ("/", "c"))
    }
}

/// The process's umask, without changing it for long.
private func currentUmask() -> UInt32 {
    let mask = umask(0o022)
    umask(mask)
    return UInt32(mask)
}
