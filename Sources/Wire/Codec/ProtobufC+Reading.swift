import CProtobufC

extension String {
    /// The value of a protobuf-c string field; NULL reads as empty, invalid UTF-8 is repaired.
    init(protobuf pointer: UnsafePointer<CChar>?) {
        self = pointer.map { String(cString: $0) } ?? ""
    }
}

/// The elements of a protobuf-c repeated field.
func repeated<T>(_ elements: UnsafeMutablePointer<T>?, count: Int) -> UnsafeBufferPointer<T> {
    UnsafeBufferPointer(start: elements, count: elements == nil ? 0 : count)
}

/// The elements of a protobuf-c repeated message field; a NULL element is a bad request.
func repeatedMessages<T>(
    _ elements: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, count: Int, field: String
) throws(WireError) -> [UnsafeMutablePointer<T>] {
    try repeated(elements, count: count).map { (element) throws(WireError) in
        try required(element, field)
    }
}

/// A message field that must be present.
func required<T>(_ message: UnsafeMutablePointer<T>?, _ field: String) throws(WireError) -> UnsafeMutablePointer<T> {
    guard let message else { throw WireError(.badRequest, "required field \(field) is missing") }
    return message
}
