import Foundation

/// Reads the fields of one JSON object for the spec decoder, collecting every problem with its path
/// instead of stopping at the first, and reporting fields nobody asked for as unknown.
struct JSONFields {
    let path: String
    private let object: [String: Any]
    private var consumed: Set<String> = []
    private(set) var problems: [SpecError.Problem] = []

    init(_ value: Any?, path: String, problems: inout [SpecError.Problem]) {
        self.path = path
        if let object = value as? [String: Any] {
            self.object = object
        } else {
            self.object = [:]
            if value != nil { problems.append(.init(path: path, message: "expected an object")) }
        }
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func raw(_ key: String) -> Any? {
        consumed.insert(key)
        return object[key]
    }

    mutating func string(_ key: String, default fallback: String? = nil) -> String? {
        guard let value = raw(key) else { return required(key, fallback) }
        if let s = value as? String { return s }
        problems.append(.init(path: child(key), message: "expected a string, got \(JSONFields.describe(value))"))
        return fallback
    }

    mutating func int(_ key: String, default fallback: Int? = nil) -> Int? {
        guard let value = raw(key) else { return required(key, fallback) }
        if let n = value as? NSNumber, !JSONFields.isBool(n), let exact = Int(exactly: n.doubleValue) {
            return exact
        }
        problems.append(.init(path: child(key), message: "expected an integer, got \(JSONFields.describe(value))"))
        return fallback
    }

    /// An integer that may be left out or set to `null` (`--set training.epochs=null` removes it).
    mutating func optionalInt(_ key: String) -> Int? {
        guard let value = raw(key), !(value is NSNull) else { return nil }
        return int(key, default: 0)
    }

    mutating func double(_ key: String, default fallback: Double? = nil) -> Double? {
        guard let value = raw(key) else { return required(key, fallback) }
        if let n = value as? NSNumber, !JSONFields.isBool(n), n.doubleValue.isFinite { return n.doubleValue }
        problems.append(.init(path: child(key), message: "expected a number, got \(JSONFields.describe(value))"))
        return fallback
    }

    mutating func bool(_ key: String, default fallback: Bool? = nil) -> Bool? {
        guard let value = raw(key) else { return required(key, fallback) }
        if let n = value as? NSNumber, JSONFields.isBool(n) { return n.boolValue }
        problems.append(.init(path: child(key), message: "expected true or false, got \(JSONFields.describe(value))"))
        return fallback
    }

    mutating func array(_ key: String) -> [Any]? {
        guard let value = raw(key) else {
            problems.append(.init(path: child(key), message: "is required"))
            return nil
        }
        if let a = value as? [Any] { return a }
        problems.append(.init(path: child(key), message: "expected an array, got \(JSONFields.describe(value))"))
        return nil
    }

    /// Call last: every field present but never read is reported as unknown.
    mutating func finish(into all: inout [SpecError.Problem]) {
        for key in object.keys.sorted() where !consumed.contains(key) {
            let suggestion = FieldSuggestion.closest(to: key, among: consumed).map { "; did you mean `\($0)`?" }
            problems.append(.init(path: child(key), message: "unknown field" + (suggestion ?? "")))
        }
        all.append(contentsOf: problems)
    }

    private mutating func required<T>(_ key: String, _ fallback: T?) -> T? {
        if fallback == nil { problems.append(.init(path: child(key), message: "is required")) }
        return fallback
    }

    /// JSONSerialization gives booleans as NSNumbers of Objective-C type `c` (char).
    static func isBool(_ n: NSNumber) -> Bool {
        String(cString: n.objCType) == "c"
    }

    static func describe(_ value: Any) -> String {
        switch value {
        case let n as NSNumber where isBool(n): return n.boolValue ? "true" : "false"
        case let n as NSNumber: return "\(n)"
        case let s as String: return "\"\(s)\""
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        case is NSNull: return "null"
        default: return "\(type(of: value))"
        }
    }
}
