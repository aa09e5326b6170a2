import Platform

/// The `--pairs` matrix: rows placed `pair-<sender PU>-<vCPU PU>` drawn as
/// heatmaps of delivered/s and e2e p50, senders up the side, vCPUs along
/// the bottom, as core-to-core latency tools draw theirs.
extension PlotData {
    static let pairPrefix = "pair-"

    static func isPair(_ key: ConfigurationKey) -> Bool { key[.placement]?.hasPrefix(pairPrefix) == true }

    /// One heatmap's cells.
    struct PairMatrix {
        /// What the panel's rows share that other matrices' do not.
        let label: String
        /// The PUs on either axis, ascending.
        let pus: [Int]
        /// The series of each (sender, vCPU) cell measured.
        let cells: [PinnedCell: ConfigurationKey]
    }

    struct PinnedCell: Hashable {
        let sender: Int
        let vcpu: Int
    }

    /// The report's matrices: its pair rows grouped by every key column but
    /// placement.
    func pairMatrices() -> [PairMatrix] {
        let cells = series.filter(Self.isPair)
        let varying = ConfigurationKey.varying(cells).filter { $0 != .placement }
        var panels: [ConfigurationKey] = []
        for cell in cells where !panels.contains(cell.without([.placement])) { panels.append(cell.without([.placement])) }
        return panels.map { panel in
            var found: [PinnedCell: ConfigurationKey] = [:]
            for cell in cells where cell.without([.placement]) == panel {
                let parts = (cell[.placement] ?? "").dropFirst(Self.pairPrefix.count).split(separator: "-").compactMap { Int($0) }
                if parts.count == 2 { found[PinnedCell(sender: parts[0], vcpu: parts[1])] = cell }
            }
            let pus = Set(found.keys.flatMap { [$0.sender, $0.vcpu] }).sorted()
            return PairMatrix(label: panel.words(varying).joined(separator: " "), pus: pus, cells: found)
        }
    }

    /// One heatmap of `column` (delivered/s in millions, or ns).
    func pairPlot(_ matrix: PairMatrix, _ column: Column) -> String {
        let throughput = column == .deliveredPerSecond
        var block = "$pairs << EOD\n# vcpu_index sender_index median\n"
        for (y, sender) in matrix.pus.enumerated() {
            for (x, vcpu) in matrix.pus.enumerated() {
                let median = matrix.cells[PinnedCell(sender: sender, vcpu: vcpu)].map {
                    cells($0, senders: 1, column) { formatFixed(throughput ? $0 / 1e6 : $0, decimals: throughput ? 4 : 0) }
                        .split(separator: " ")[0]
                } ?? "NaN"
                block += "\(x) \(y) \(median)\n"
            }
        }
        block += "EOD\n"
        let what = throughput ? "Delivered events per second (millions)" : "End-to-end latency p50 (ns)"
        let title = "\(what), sender PU x vCPU PU" + (matrix.label.isEmpty ? "" : " (\(matrix.label))")
        let tics = matrix.pus.enumerated().map { "\"\($1)\" \($0)" }.joined(separator: ", ")
        return block + """
            set title \(PlotScript.quoted(title)) noenhanced
            set xlabel "vCPU's PU"
            set ylabel "sender's PU"
            set xtics (\(tics)) rotate by -90
            set ytics (\(tics))
            set xrange [-0.5:\(matrix.pus.count) - 0.5]
            set yrange [-0.5:\(matrix.pus.count) - 0.5]
            set palette rgbformulae 33,13,10
            set cblabel \(PlotScript.quoted(what))
            plot $pairs using 1:2:3 with image notitle
            """
    }
}
