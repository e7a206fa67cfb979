/// An n-dimensional array as NumPy's `.npy` format stores it: a shape, the element type, and the elements in C
/// (row-major) order.
public struct NPYArray: Sendable, Equatable {
    /// The element types `.npy` files may hold here: floats of 32 and 64 bits and integers of any width.
    public enum DType: String, Sendable, Equatable, CaseIterable {
        case float32, float64
        case int8, int16, int32, int64
        case uint8, uint16, uint32, uint64

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .int8, .uint8: 1
            case .int16, .uint16: 2
            case .float32, .int32, .uint32: 4
            case .float64, .int64, .uint64: 8
            }
        }

        /// Whether the type is an integer type (signed or not).
        public var isInteger: Bool { self != .float32 && self != .float64 }
    }

    /// The elements, in C order: floats keep their precision, integers of every width are widened to `Int64`.
    public enum Contents: Sendable, Equatable {
        case float32([Float])
        case float64([Double])
        case int64([Int64])

        /// The number of elements.
        public var count: Int {
            switch self {
            case .float32(let values): values.count
            case .float64(let values): values.count
            case .int64(let values): values.count
            }
        }
    }

    /// The length of each dimension; empty for a 0-d array (one element).
    public let shape: [Int]
    /// The element type the file declared (`contents` may be wider, for integers).
    public let dtype: DType
    /// The elements in C order.
    public let contents: Contents

    /// Creates an array whose declared type is the natural one for `contents` (`float32`, `float64` or `int64`).
    ///
    /// - Precondition: the product of `shape` equals `contents.count`.
    public init(shape: [Int], contents: Contents) {
        let dtype: DType =
            switch contents {
            case .float32: .float32
            case .float64: .float64
            case .int64: .int64
            }
        self.init(shape: shape, dtype: dtype, contents: contents)
    }

    /// Creates an array that declares `dtype`, as read from a file.
    init(shape: [Int], dtype: DType, contents: Contents) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == contents.count, "shape \(shape) does not hold \(contents.count) elements")
        self.shape = shape
        self.dtype = dtype
        self.contents = contents
    }

    /// The number of elements (the product of `shape`).
    public var count: Int { contents.count }

    /// The shape as NumPy prints it: `(50, 64)`, `(50,)`, `()`.
    public var shapeDescription: String { Self.describe(shape: shape) }

    /// `shape` as NumPy prints it.
    static func describe(shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// The elements as `Double`: exact for floats and for integers up to 2^53 in magnitude.
    public var float64Values: [Double] {
        switch contents {
        case .float32(let values): values.map(Double.init)
        case .float64(let values): values
        case .int64(let values): values.map(Double.init)
        }
    }

    /// The elements as `Float`, rounded to nearest when the stored type is wider.
    public var float32Values: [Float] {
        switch contents {
        case .float32(let values): values
        case .float64(let values): values.map(Float.init)
        case .int64(let values): values.map(Float.init)
        }
    }

    /// The elements as `Int64` when every one is an integer: integer contents always, floating contents when
    /// every value is integral and within `Int64`; otherwise `nil`.
    public var int64Values: [Int64]? {
        switch contents {
        case .int64(let values): values
        case .float32(let values): Self.integral(values.map(Double.init))
        case .float64(let values): Self.integral(values)
        }
    }

    /// `values` as `Int64`, or `nil` if one is not an integer representable as `Int64`.
    private static func integral(_ values: [Double]) -> [Int64]? {
        var result: [Int64] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let exact = Int64(exactly: value) else {
                return nil
            }
            result.append(exact)
        }
        return result
    }
}
