extension Duration {
    /// The duration in whole milliseconds for libzmq timeouts, rounded up (so a short wait never becomes a spin)
    /// and clamped to `0...Int32.max`.
    var zmqMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        let fraction = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        guard !milliseconds.overflow, milliseconds.partialValue + fraction <= Int64(Int32.max) else {
            return Int32.max
        }
        return Int32(milliseconds.partialValue + fraction)
    }
}
