import Foundation

/// An exclusive lock on a store's folder (`flock` on `store.lock`, which holds the owner's pid), so a second
/// coordinator on the same store refuses to start instead of sharing its queue and running experiments twice.
/// The kernel releases it when the process ends, however it ends.
final class StoreLock: Sendable {
    static let fileName = "store.lock"
    private let descriptor: Int32

    /// Takes the lock on `directory`.
    /// - Throws: ``StoreError`` naming the pid of the coordinator that holds it, or why the file cannot be opened.
    init(directory: String) throws {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        let operation = "lock the store at \(directory)"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(
                code: .cannotOpen, operation: operation, message: String(cString: strerror(errno)),
                hint: "check the folder's permissions or pass --store")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw StoreError(
                code: .cannotOpen, operation: operation,
                message: "another coordinator" + (holder.map { $0.isEmpty ? "" : " (pid \($0))" } ?? "")
                    + " is using this store",
                hint: "stop it first, or give this coordinator its own --store")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }
}
