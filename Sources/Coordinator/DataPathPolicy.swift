import Foundation

/// Which folders a submitted spec may read its dataset from: `dataset.path` must resolve (symlinks followed)
/// inside one of the allowed directories, so a client cannot make the coordinator open arbitrary files.
public enum DataPathPolicy {
    /// The default allowed directories: Debian's Fashion-MNIST folder and `./data`.
    public static let defaultDirectories = ["/usr/share/datasets/fashion-mnist", "./data"]

    /// Nil when `path` resolves inside one of `allowed`; otherwise the reason, starting with `dataset.path:`.
    ///
    /// Allowed directories that do not exist are skipped. Relative paths resolve against the working directory.
    /// - Parameter resolve: the canonical form of a path, or nil when it does not exist (default: `realpath`).
    public static func problem(
        path: String, allowed: [String], resolve: (String) -> String? = DataPathPolicy.realPath
    ) -> String? {
        let roots = allowed.compactMap(resolve)
        let list = allowed.joined(separator: ", ")
        guard let resolved = resolve(path) else {
            return "dataset.path: \(path) does not exist (allowed data directories: \(list))"
        }
        guard roots.contains(where: { isInside(resolved, $0) }) else {
            return "dataset.path: \(path) is outside the allowed data directories (\(list)); start the "
                + "coordinator with --data-dir FOLDER to allow another"
        }
        return nil
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
