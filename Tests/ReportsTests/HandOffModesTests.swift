import Reports
import Testing

/// The modes of a machine's cache-line hand-off.
@Suite("Hand-off modes")
struct HandOffModesTests {
    /// The 2-core VM's twelve probes, 2 s apart (ns, one way).
    static let probes: [Double] = [61, 47, 58, 240, 241, 53, 48, 64, 60, 62, 61, 224]

    @Test("the VM's probes fall into a near and a far mode")
    func twoModes() {
        let modes = HandOffModes(Self.probes)
        #expect(modes.isBimodal && modes.counts == [9, 3])
        #expect(modes.medians == [60, 240])
        #expect(modes.mode(of: 64) == 0 && modes.mode(of: 224) == 1)
        #expect(modes.name(1) == "far (~240 ns)")
    }

    @Test("noise within one mode is one group", arguments: [[47.0, 64, 58, 61, 53, 60], [240, 241, 224, 230], [55], []])
    func oneMode(_ figures: [Double]) {
        let modes = HandOffModes(figures)
        #expect(!modes.isBimodal && modes.mode(of: 1000) == 0)
        #expect(modes.counts == (figures.isEmpty ? [] : [figures.count]))
    }

    @Test("a lone far figure is not a mode: two a side at least")
    func loneOutlier() {
        #expect(!HandOffModes([50, 52, 55, 51, 240]).isBimodal)
        #expect(HandOffModes([50, 52, 55, 51, 240, 238]).isBimodal)
    }
}
