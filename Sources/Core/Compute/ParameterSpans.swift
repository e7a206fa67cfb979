/// Calls `body` with the first element of `weights` and of `gradient`, which must each hold `count` floats: where
/// the spans that training calls take become the pointers the C kernels take, once per call.
func withParameterPointers<R>(
    _ weights: Span<Float>, _ gradient: inout MutableSpan<Float>, count: Int,
    _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> R
) -> R {
    precondition(weights.count == count && gradient.count == count, "weights and gradient hold \(count) floats each")
    return weights.withUnsafeBufferPointer { w in
        gradient.withUnsafeMutableBufferPointer { g in body(w.baseAddress!, g.baseAddress!) }
    }
}
