#if canImport(Glibc)
import Glibc
#endif
import Platform
import Reports
import TestSupport
import Testing

/// Nothing in a report or its name runs when gnuplot loads the script.
@Suite("Plot scripts are safe with hostile names")
struct PlotSafetyTests {
    static let gnuplot = Programs.find("gnuplot")

    /// A report whose free-text cells try every way out of a gnuplot string.
    func report(at path: String, marker: String, design: String = "rwlock") throws {
        let attack = "`touch \(marker)-cell` ' \" \\ $x @x \n system('touch \(marker)-system') \r !touch \(marker)-bang"
        var record = RunRecord()
        var text = CSV.line(RunRecord.columns)
        for senders in [1, 2] {
            record.set(.host, attack)
            record.set(.cpuModel, attack)
            record.set(.kernel, "\"; `touch \(marker)-kernel`")
            record.set(.design, design)
            record.set(.scenario, "ipi")
            record.set(.senders, senders)
            record.set(.deliveredPerSecond, rate: 1e6)
            record.set(.fairnessMinOverMax, ratio: 1)
            for column in [Column.e2eP50, .e2eP90, .e2eP99, .e2eP999, .e2eMax] { record.set(column, 500) }
            text += CSV.line(record.fields)
        }
        try writeFileAtomically(path, text)
    }

    static let hostileNames = [
        "it's a \"q\" $x `touch RAN-0` file",
        "-e system('touch RAN-1')",
        "back\\slash `touch RAN-2` '''' @x",
        "'; !touch RAN-3; '",
    ]

    @Test("hostile file names and cells are quoted: gnuplot draws and runs nothing", arguments: hostileNames.indices)
    func hostile(index: Int) throws {
        let folder = TemporaryFolder()
        let stem = folder.path + "/" + Self.hostileNames[index]
        try report(at: stem + ".csv", marker: folder.path + "/PWNED")
        let script = try PlotScript(source: .file(stem + ".csv"), stem: stem)
        #expect(!script.text.contains("\n system("), "a line break in a cell does not start a command")
        try writeFileAtomically(stem + ".gp", script.text)
        if let gnuplot = Self.gnuplot {
            // As the plot command calls it: a relative name that starts with "-" gets "./".
            #expect(try Programs.run(gnuplot, [stem + ".gp"]) == 0)
            for output in script.outputs { #expect(access(output, F_OK) == 0, "\(output)") }
        }
        for place in [folder.path, "."] {
            let ran = listing(place).filter { $0.hasPrefix("RAN") || $0.hasPrefix("PWNED") }
            #expect(ran.isEmpty, "nothing ran, but \(place) has \(ran)")
        }
    }

    @Test("a file name with a line break or control character is refused", arguments: ["two\nlines", "cr\rx", "esc\u{1B}[2J"])
    func controlCharacters(name: String) throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/ok.csv"
        try report(at: path, marker: folder.path + "/PWNED")
        let error = #expect(throws: ReportError.self) { try PlotScript(source: .file(path), stem: folder.path + "/" + name) }
        #expect(error?.description.contains("control character") == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
    }

    @Test("a design name that is not a plain name is refused", arguments: ["a b", "x\nEOD\n!touch y", "`id`", ""])
    func designNames(design: String) throws {
        let folder = TemporaryFolder()
        try report(at: folder.path + "/r.csv", marker: folder.path + "/PWNED", design: design)
        let error = #expect(throws: ReportError.self) { try PlotScript(source: .file(folder.path + "/r.csv"), stem: folder.path + "/r") }
        #expect(error?.description.contains("column design") == true, "\(String(describing: error))")
    }

    @Test("gnuplot strings: single quotes doubled, control characters replaced")
    func quoting() {
        #expect(PlotScript.quoted("it's `id` \"x\" \\ @m") == #"'it'."'".'s `id` "x" \ @m'"#)
        #expect(PlotScript.quoted("''") == #""'"."'""#)
        #expect(PlotScript.quoted("") == "''")
        #expect(PlotScript.quoted("a\nb\rc\u{7F}") == "'a b c '")
    }

    func listing(_ path: String) -> [String] {
        guard let folder = opendir(path) else { return [] }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) })
        }
        return names
    }
}
