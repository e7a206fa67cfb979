import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX shared-memory segment through which a coordinator and a worker on the same host exchange the step's
/// weights and gradients in place of 291 KB messages (Docs/WireProtocol.md, "Shared memory").
///
/// The coordinator creates one segment per worker and experiment, offers it in ``ExperimentSetup``, and unlinks
/// its name as soon as the worker has answered: from then on only the two mappings keep it, so nothing is left in
/// `/dev/shm` when either process dies. It also creates one segment without slots for the experiment's weights,
/// which every local worker maps read-only and the coordinator writes once a step; that one keeps its name while
/// the experiment runs, for workers that join later (``removeStale()`` takes it when its coordinator was killed).
/// Assignments, and results when asked, are posted in the segment's mailboxes (`SharedSegment+Mailbox.swift`);
/// everything else goes over ZeroMQ. The posts and the results order the accesses: the coordinator writes the
/// weights before it posts an assignment, the worker writes its gradients before it posts or sends the result,
/// and neither side touches the segment while the other may.
///
/// Layout: a 4 KiB header (magic, layout version, parameter count, slot count, a 16-byte nonce, and from byte
/// 1024 the two mailboxes, `SharedSegment+Mailbox.swift`), the weights, then `slotCount` gradient slots, each
/// region page-aligned and `parameterCount` floats long.
public final class SharedSegment: @unchecked Sendable {
    /// The name under `/dev/shm`, e.g. `/distembed-4242-0123456789abcdef`.
    public let name: String
    /// The random value the offer and the header share: proof that the worker opened the coordinator's segment.
    public let nonce: [UInt8]
    public let parameterCount: Int
    public let slotCount: Int
    let base: UnsafeMutableRawPointer
    private let size: Int
    private let stride: Int
    /// Whether this process created the segment (and so removes its name when done with it).
    private let created: Bool
    /// Whether this process mapped it for writing (a worker maps the shared weights read-only).
    public let writable: Bool

    static let magic: [UInt8] = Array("DEMSHARE".utf8)
    static let layoutVersion: UInt32 = 1
    static let headerSize = 4096
    static let namePrefix = "/distembed-"
    static let nonceSize = 16

    /// The bytes a segment for `parameterCount` floats and `slotCount` slots takes.
    public static func byteCount(parameterCount: Int, slotCount: Int) -> Int {
        headerSize + (1 + slotCount) * regionStride(parameterCount)
    }

    private static func regionStride(_ parameterCount: Int) -> Int {
        (parameterCount * MemoryLayout<Float>.size + 4095) / 4096 * 4096
    }

    private init(
        name: String, nonce: [UInt8], parameterCount: Int, slotCount: Int, base: UnsafeMutableRawPointer, size: Int,
        created: Bool, writable: Bool = true
    ) {
        self.name = name
        self.nonce = nonce
        self.parameterCount = parameterCount
        self.slotCount = slotCount
        self.base = base
        self.size = size
        self.stride = Self.regionStride(parameterCount)
        self.created = created
        self.writable = writable
    }

    deinit {
        if created { unlink() }
        munmap(base, size)
    }

    /// Creates, sizes and maps a new owner-only segment with a fresh name and nonce (the coordinator's side);
    /// with no slots it holds only weights.
    ///
    /// The memory is reserved up front (`posix_fallocate`): a full `/dev/shm` (64 MB in a default Docker
    /// container) fails here, and the caller falls back to messages, instead of killing a process with `SIGBUS`
    /// on its first write.
    /// - Throws: ``SharedSegmentError`` naming the call that failed.
    public static func create(parameterCount: Int, slotCount: Int) throws(SharedSegmentError) -> SharedSegment {
        precondition(parameterCount > 0 && slotCount >= 0)
        var generator = SystemRandomNumberGenerator()
        let suffix = String(generator.next() as UInt64, radix: 16)
        let name = namePrefix + "\(getpid())-" + String(repeating: "0", count: 16 - suffix.count) + suffix
        let nonce = (0..<nonceSize).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let size = byteCount(parameterCount: parameterCount, slotCount: slotCount)
        let fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw .system("shm_open \(name)", errno) }
        defer { close(fd) }
        var mapped: UnsafeMutableRawPointer?
        do throws(SharedSegmentError) {
            guard ftruncate(fd, off_t(size)) == 0 else { throw .system("ftruncate \(name) to \(size) bytes", errno) }
            #if canImport(Glibc)
            let reserved = posix_fallocate(fd, 0, off_t(size))
            guard reserved == 0 else { throw .system("reserve \(size) bytes for \(name)", reserved) }
            #endif
            mapped = try map(fd, size: size, name: name)
        } catch {
            shm_unlink(name)
            throw error
        }
        let segment = SharedSegment(
            name: name, nonce: nonce, parameterCount: parameterCount, slotCount: slotCount, base: mapped!, size: size,
            created: true)
        segment.writeHeader()
        return segment
    }

    /// Opens and maps the segment an offer names (the worker's side), checking that it is the coordinator's:
    /// the name has the segment form, the size fits `parameterCount` and the offer's slots, and the header holds
    /// the offer's nonce.
    /// - Throws: ``SharedSegmentError`` saying what did not match; the worker then trains over messages.
    public static func attach(_ offer: SharedSegmentOffer, parameterCount: Int) throws(SharedSegmentError)
        -> SharedSegment
    {
        guard offer.slotCount > 0 else { throw .mismatch("\(offer.name.prefix(80)) offers no gradient slots") }
        return try open(offer, parameterCount: parameterCount, writable: true)
    }

    /// Opens and maps, read-only, the experiment's shared weights an offer names (a segment without slots), with
    /// the checks of ``attach(_:parameterCount:)``: a worker reads the weights there and cannot change them.
    /// - Throws: ``SharedSegmentError`` saying what did not match; the worker then takes its weights from its own
    ///   segment.
    public static func attachWeights(_ offer: SharedSegmentOffer, parameterCount: Int) throws(SharedSegmentError)
        -> SharedSegment
    {
        guard offer.slotCount == 0 else {
            throw .mismatch("\(offer.name.prefix(80)) has \(offer.slotCount) gradient slots; shared weights have none")
        }
        return try open(offer, parameterCount: parameterCount, writable: false)
    }

    private static func open(_ offer: SharedSegmentOffer, parameterCount: Int, writable: Bool)
        throws(SharedSegmentError) -> SharedSegment
    {
        let name = offer.name
        let suffix = name.dropFirst(namePrefix.count)
        guard name.hasPrefix(namePrefix), !suffix.isEmpty, suffix.count <= 64,
            suffix.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == "-") })
        else { throw .mismatch("\(name.prefix(80)) is not a distembed segment name") }
        guard parameterCount > 0 else { throw .mismatch("\(name) is offered for a model without parameters") }
        guard offer.nonce.count == nonceSize else {
            throw .mismatch("the offer of \(name) has a nonce of \(offer.nonce.count) bytes, not \(nonceSize)")
        }
        let size = byteCount(parameterCount: parameterCount, slotCount: Int(offer.slotCount))
        let fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0)
        guard fd >= 0 else { throw .system("shm_open \(name)", errno) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .system("fstat \(name)", errno) }
        guard Int(status.st_size) == size else {
            throw .mismatch("\(name) holds \(status.st_size) bytes, \(size) expected for \(parameterCount) parameters "
                + "and \(offer.slotCount) slots")
        }
        let mapped = try map(fd, size: size, name: name, writable: writable)
        let segment = SharedSegment(
            name: name, nonce: offer.nonce, parameterCount: parameterCount, slotCount: Int(offer.slotCount),
            base: mapped, size: size, created: false, writable: writable)
        guard segment.headerMatches() else {
            throw .mismatch("\(name) is not the segment the coordinator offered (header or nonce differs)")
        }
        return segment
    }

    private static func map(_ fd: Int32, size: Int, name: String, writable: Bool = true) throws(SharedSegmentError)
        -> UnsafeMutableRawPointer
    {
        let address = mmap(nil, size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else { throw .system("mmap \(name)", errno) }
        return address
    }

    /// Removes the segments that coordinators which no longer run left in `/dev/shm` (a coordinator killed between
    /// offering a segment and the worker's answer) and returns their names. A segment's name holds its creator's
    /// process id; one whose process has ended is removed. Call at start.
    @discardableResult
    public static func removeStale() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(namePrefix.dropFirst()) {
            let fields = name.dropFirst(namePrefix.count - 1).split(separator: "-")
            guard fields.count == 2, let pid = Int32(fields[0]), pid > 0, pid != getpid(), hasEnded(pid) else {
                continue
            }
            if shm_unlink("/" + name) == 0 { removed.append(name) }
        }
        return removed
    }

    /// Whether process `pid` no longer runs: it is gone (`kill(pid, 0)` fails with `ESRCH`), or it is a zombie that
    /// its parent has not reaped yet (`kill` still succeeds for one, but it will never use its segment again; the
    /// state letter in `/proc/PID/stat` is `Z` or `X`).
    static func hasEnded(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 { return errno == ESRCH }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let commandEnd = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: commandEnd)...].drop(while: { $0 == " " }).first
        return state == "Z" || state == "X"
    }

    /// Removes the name; the mappings stay valid. Idempotent; the creator's copy does it when released, too.
    public func unlink() {
        shm_unlink(name)
    }

    /// What the coordinator sends the worker so it can attach.
    public var offer: SharedSegmentOffer {
        SharedSegmentOffer(name: name, nonce: nonce, slotCount: UInt32(slotCount))
    }

    /// Copies `weights` (``parameterCount`` floats) into the weights region.
    public func writeWeights(_ weights: [Float]) {
        precondition(weights.count == parameterCount && writable)
        weights.withUnsafeBufferPointer { region(0).update(from: $0.baseAddress!, count: $0.count) }
    }

    /// The weights region, to write in place (the coordinator's shared weights).
    public var mutableWeights: UnsafeMutableBufferPointer<Float> {
        precondition(writable, "\(name) is mapped read-only")
        return UnsafeMutableBufferPointer(start: region(0), count: parameterCount)
    }

    /// Calls `body` with the weights region.
    public func withWeights<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafePointer(region(0)))
    }

    /// Calls `body` with gradient slot `slot` (in `0..<slotCount`) to write.
    public func withMutableSlot<R>(_ slot: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        precondition(slot >= 0 && slot < slotCount, "slot \(slot) outside 0..<\(slotCount)")
        precondition(writable, "\(name) is mapped read-only")
        return try body(region(1 + slot))
    }

    /// Calls `body` with gradient slot `slot` (in `0..<slotCount`) to read.
    public func withSlot<R>(_ slot: Int, _ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        precondition(slot >= 0 && slot < slotCount, "slot \(slot) outside 0..<\(slotCount)")
        return try body(UnsafePointer(region(1 + slot)))
    }

    private func region(_ k: Int) -> UnsafeMutablePointer<Float> {
        base.advanced(by: Self.headerSize + k * stride).assumingMemoryBound(to: Float.self)
    }

    private var header: [UInt8] {
        var bytes = Self.magic
        withUnsafeBytes(of: Self.layoutVersion.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(slotCount).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt64(parameterCount).littleEndian) { bytes += $0 }
        return bytes + nonce
    }

    private func writeHeader() {
        let bytes = header
        bytes.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    private func headerMatches() -> Bool {
        let expected = header
        return UnsafeRawBufferPointer(start: base, count: expected.count).elementsEqual(expected)
    }
}

/// Why a shared-memory segment could not be created or attached. Never fatal: the pair trains over messages.
public enum SharedSegmentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call failed: what was being done and `errno`.
    case system(String, Int32)
    /// The segment is not the one offered, or not one at all.
    case mismatch(String)

    public var description: String {
        switch self {
        case .system(let operation, let code): "\(operation): \(String(cString: strerror(code)))"
        case .mismatch(let reason): reason
        }
    }
}
