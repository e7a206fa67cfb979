import Foundation

/// Which folders a submitted spec may read its dataset from: `dataset.path` must resolve (symlinks followed)
/// inside one of the allowed directories, so a client cannot make the coordinator open arbitrary files.
public enum DataPathPolicy {
    /// The default allowed directories: Debian's Fashion-MNIST folder and `./data`.
    public static let defaultDirectories = ["/usr/share/datasets/fashion-mnist", "./data"]

    /// Nil when `path` resolves inside one of `allowed`; otherwise the reason, starting with `dataset.path:`.
    ///
    /// A path that does not exist gets the same answer as one outside: a client must not learn which paths
    /// exist on the coordinator's host. Allowed directories that do not exist are skipped. Relative paths resolve
    /// against the working directory.
    /// - Parameter resolve: the canonical form of a path, or nil when it does not exist (default: `realpath`).
    public static func problem(
        path: String, allowed: [String], resolve: (String) -> String? = DataPathPolicy.realPath
    ) -> String? {
        let roots = allowed.compactMap(resolve)
        if let resolved = resolve(path), roots.contains(where: { isInside(resolved, $0) }) { return nil }
        var listed: [String] = []
        for directory in allowed where !listed.contains(directory) { listed.append(directory) }
        return "dataset.path: \(path) is not a folder inside the allowed data directories "
            + "(\(listed.joined(separator: ", "))); use one inside them, or start the coordinator with "
            + "--data-dir FOLDER to allow another"
    }

    /// True when canonical `path` is `root` or below it (whole path components: `/data2` is not below `/data`).
    public static func isInside(_ path: String, _ root: String) -> Bool {
        if root == "/" { return path.hasPrefix("/") }
        let trimmed = root.hasSuffix("/") ? String(root.dropLast()) : root
        return path == trimmed || path.hasPrefix(trimmed + "/")
    }

    /// `realpath(3)`: absolute, with `.`, `..` and every symlink resolved; nil when the path does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
