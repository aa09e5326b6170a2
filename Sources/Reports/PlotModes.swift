/// A machine with two modes of cache-line hand-off (`HandOffModes`, from
/// the rows' `c2c_ns`): its throughput pictures draw each design's line
/// once per mode, so that a jump of the machine shows as two lines rather
/// than as a wide interval around a median that belongs to neither.
extension PlotData {
    /// The line variants of a throughput picture: one (no mode) on a
    /// machine with one mode, near and far on one with two.
    var throughputModes: [Int?] { modes.isBimodal ? [0, 1] : [nil] }

    /// The samples of `values` whose hand-off (parallel, in `figures`)
    /// falls in `mode`; all of them when `mode` is nil. A sample without a
    /// figure belongs to no mode.
    func inMode(_ mode: Int?, _ values: [Double], _ figures: [Double?]) -> [Double] {
        guard let mode else { return values }
        return values.indices.filter { $0 < figures.count && figures[$0].map { modes.mode(of: $0) == mode } == true }
            .map { values[$0] }
    }

    /// ", near (~60 ns)" for a mode's line; "" without modes.
    func modeSuffix(_ mode: Int?) -> String { mode.map { ", " + modes.name($0) } ?? "" }
}
