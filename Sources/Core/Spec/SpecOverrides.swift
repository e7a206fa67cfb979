import Foundation

/// `--set a.b=v` overrides on a parsed JSON tree. The value is read as JSON when it parses as JSON
/// (`2`, `true`, `0.5`, `[28,28,1]`, `"x"`), and as a plain string otherwise (`dataset.path=/data`).
/// Array elements are addressed by index: `model.layers.4.dense.units=128`.
public enum SpecOverrides {
    /// Applies each `key=value` in order and returns the new tree.
    public static func apply(_ overrides: [String], to tree: Any) throws(SpecError) -> Any {
        var tree = tree
        for override in overrides {
            guard let eq = override.firstIndex(of: "="), eq != override.startIndex else {
                throw SpecError("", "not of the form key=value (e.g. training.epochs=2)", override: override)
            }
            let key = String(override[..<eq])
            let rawValue = String(override[override.index(after: eq)...])
            let value = (try? JSONSerialization.jsonObject(with: Data(rawValue.utf8), options: [.fragmentsAllowed]))
                ?? rawValue
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if path.contains(where: \.isEmpty) {
                throw SpecError(key, "the key has an empty component", override: override)
            }
            do {
                tree = try set(path[...], in: tree, to: value, fullKey: key)
            } catch {
                throw SpecError(problems: error.problems.map { problem in
                    var problem = problem
                    problem.override = override
                    return problem
                })
            }
        }
        return tree
    }

    private static func set(_ path: ArraySlice<String>, in node: Any, to value: Any, fullKey: String)
        throws(SpecError) -> Any
    {
        guard let head = path.first else { return value }
        if var array = node as? [Any] {
            guard let i = Int(head), array.indices.contains(i) else {
                throw SpecError(fullKey, "\"\(head)\" is not an index of an array of \(array.count) elements")
            }
            array[i] = try set(path.dropFirst(), in: array[i], to: value, fullKey: fullKey)
            return array
        }
        var object = (node as? [String: Any]) ?? [:]
        if !(node is [String: Any]) && !(node is NSNull) {
            throw SpecError(fullKey, "cannot set a field inside a value that is not an object")
        }
        object[head] = try set(path.dropFirst(), in: object[head] ?? [String: Any](), to: value, fullKey: fullKey)
        return object
    }

    static func describe(_ error: Error) -> String {
        let text = "\(error)"
        if let range = text.range(of: "NSDebugDescription=") {
            return String(text[range.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "})"))
        }
        return (error as NSError).localizedDescription
    }
}
