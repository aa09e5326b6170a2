/// How evenly work was shared between threads.
public enum Fairness {
    /// Smallest over largest (1 = perfectly even; 0 = some thread starved).
    public static func minOverMax(_ values: [Int]) -> Double {
        guard let high = values.max(), high > 0, let low = values.min() else { return values.isEmpty ? 1 : 0 }
        return Double(low) / Double(high)
    }

    /// Gini coefficient: 0 = equal shares, approaching 1 = one thread did
    /// everything. Mean absolute difference over twice the mean.
    public static func gini(_ values: [Int]) -> Double {
        guard values.count > 1 else { return 0 }
        let total = values.reduce(0, +)
        guard total > 0 else { return 0 }
        let sorted = values.sorted()
        // Sorted form: sum_i (2i - n - 1) x_i / (n * sum x), i from 1.
        let n = Double(sorted.count)
        var weighted = 0.0
        for (index, value) in sorted.enumerated() {
            weighted += (2 * Double(index + 1) - n - 1) * Double(value)
        }
        return weighted / (n * Double(total))
    }
}
