/// A machine with two modes of cache-line hand-off (`HandOffModes`, from
/// the rows' `c2c_ns`): its throughput pictures draw each design's line
/// once per mode, so that a jump of the machine shows as two lines rather
/// than as a wide interval around a median that belongs to neither.
extension PlotData {
    /// The line variants of a throughput picture: one (no mode) on a
    /// machine with one mode, near and far on one with two.
    var throughputModes: [Int?] { modes.isBimodal ? [0, 1] : [nil] }

    /// ", near (~60 ns)" for a mode's line; "" without modes.
    func modeSuffix(_ mode: Int?) -> String { mode.map { ", " + modes.name($0) } ?? "" }
}
