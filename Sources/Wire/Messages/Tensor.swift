/// A dense float32 tensor, row-major; on the wire its values are little-endian float32.
public struct Tensor: Hashable, Sendable {
    /// The size of each dimension; the product equals `values.count` (an empty shape is a scalar).
    public let shape: [Int]
    /// The elements in row-major order.
    public let values: [Float]

    /// Creates a tensor.
    ///
    /// - Precondition: every dimension is in `0...UInt32.max` and their product equals `values.count`.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { 0...Int(UInt32.max) ~= $0 }, "tensor dimension out of range: \(shape)")
        precondition(
            Tensor.elementCount(of: shape) == values.count,
            "tensor shape \(shape) needs \(Tensor.elementCount(of: shape) ?? -1) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// A one-dimensional tensor holding `values`.
    public init(_ values: [Float]) {
        self.init(shape: [values.count], values: values)
    }

    /// The number of elements a shape holds, or nil when it overflows `Int`.
    static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }
}
