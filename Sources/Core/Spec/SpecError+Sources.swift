extension SpecError {
    /// The problems as the CLI prints them, each followed by where it came from: the `--set` that wrote the field
    /// (or a field around it or inside it), or else the spec file.
    public func described(file: String, overrides: [String]) -> String {
        let lines = problems.map { problem in
            let source = SpecOverrides.override(behind: problem, among: overrides).map { "from --set \($0)" }
            return "\(problem) (\(source ?? "in \(file)"))"
        }
        if lines.count == 1 { return "invalid spec: \(lines[0])" }
        return "invalid spec (\(lines.count) problems):\n" + lines.map { "  - \($0)" }.joined(separator: "\n")
    }
}

extension SpecOverrides {
    /// The override behind `problem`: the one it names, or else the last whose key is the problem's field, a field
    /// inside it or a field around it (`model.layers.2.conv2d.kernel=9` for `model.layers[2].conv2d`).
    static func override(behind problem: SpecError.Problem, among overrides: [String]) -> String? {
        if let override = problem.override { return override }
        guard !problem.path.isEmpty else { return nil }
        let path = problem.path.replacing("[", with: ".").replacing("]", with: "")
        return overrides.last { SpecError.Problem.related(String($0.prefix { $0 != "=" }), path) }
    }
}
