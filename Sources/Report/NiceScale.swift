import Foundation

/// A linear axis over round numbers: the domain is widened to whole multiples of a 1, 2 or 5 × 10ⁿ step, which
/// are the ticks.
struct NiceScale {
    /// The data interval the axis shows.
    let lower: Double
    let upper: Double
    /// The tick values, ascending.
    let ticks: [Double]
    /// Decimals that tell the ticks apart.
    let decimals: Int

    /// An axis covering `low`…`high` with about `tickCount` intervals; an empty interval is widened around it.
    init(covering low: Double, _ high: Double, tickCount: Int = 5) {
        // No chart needs more than ±1e15; clamping keeps every step below finite.
        var low = low.isFinite ? min(max(low, -1e15), 1e15) : 0
        var high = high.isFinite ? min(max(high, -1e15), 1e15) : 1
        if high < low { swap(&low, &high) }
        if high - low < max(1e-9 * max(abs(low), abs(high)), 1e-12) {
            let pad = abs(low) * 0.1 > 1e-12 ? abs(low) * 0.1 : 1
            low -= pad
            high += pad
        }
        let step = Self.roundStep((high - low) / Double(max(1, tickCount)))
        let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        lower = first * step
        upper = last * step
        ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        decimals = max(0, -Int((log10(step) + 1e-9).rounded(.down)))
    }

    /// An axis from `first` to `last` with ticks on whole numbers, at most about `maxTicks` of them.
    init(integersFrom first: Int, to last: Int, maxTicks: Int = 10) {
        guard last > first else {
            lower = Double(first) - 0.5
            upper = Double(first) + 0.5
            ticks = [Double(first)]
            decimals = 0
            return
        }
        let step = max(1, Self.roundStep(Double(last - first) / Double(max(1, maxTicks))).rounded(.up))
        lower = Double(first)
        upper = Double(last)
        let start = (Double(first) / step).rounded(.up) * step
        ticks = Array(stride(from: start, through: Double(last), by: step))
        decimals = 0
    }

    /// Where `value` falls between the pixel positions `start` (at `lower`) and `end` (at `upper`).
    func position(_ value: Double, from start: Double, to end: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    /// The tick label for `value`.
    func label(_ value: Double) -> String {
        NumberText.fixed(value, decimals)
    }

    /// The smallest 1, 2 or 5 × 10ⁿ at least `rough`.
    private static func roundStep(_ rough: Double) -> Double {
        let magnitude = pow(10, log10(rough).rounded(.down))
        return [1.0, 2, 5, 10].first { $0 * magnitude >= rough * (1 - 1e-9) }! * magnitude
    }
}
