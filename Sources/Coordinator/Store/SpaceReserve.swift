import Foundation

/// A file of ``size`` bytes kept beside the store's database and given up when the disk fills, so that how an
/// experiment ended can still be written.
///
/// Without it, an experiment failed by a full disk could be answered `failed` to its clients, yet stay `running` in
/// the store until there was room again; a coordinator stopped in between resumed it on restart, and it could end
/// `done` after clients were told `failed`. The file holds real blocks (`posix_fallocate`), so deleting it frees them
/// at once. It is made again once the disk has twice its size free.
struct SpaceReserve: Sendable {
    /// The reserve's file name inside the store's folder.
    static let fileName = "space-reserve"
    /// Enough for SQLite to write a failed outcome, or a done one with a few hundred thousand weights, with its WAL
    /// frames.
    static let size = 2 << 20

    let path: String

    init(directory: String) {
        path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
    }

    /// Deletes the reserve; returns whether there was one to give up.
    func release() -> Bool {
        unlink(path) == 0
    }

    /// Makes the reserve when it is missing and the disk has room for it twice over; otherwise leaves things be.
    func restore() {
        guard access(path, F_OK) != 0,
            let free = ExperimentStore.freeBytes(under: (path as NSString).deletingLastPathComponent),
            free >= 2 * UInt64(Self.size)
        else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let allocated = posix_fallocate(fd, 0, off_t(Self.size)) == 0
        close(fd)
        if !allocated { unlink(path) }
    }
}
