import CKernels
import Foundation

/// The instruction-set path the portable kernels take (`distembed_kernels.h`). Every path gives the same bits;
/// they differ only in speed. The fastest one this CPU has is taken unless `DISTEMBED_KERNELS` (scalar, avx2,
/// avx512, neon) names another, or ``select(_:)`` does.
public enum KernelPath: Int32, CaseIterable, Sendable, CustomStringConvertible {
    case scalar = 0
    case avx2 = 1
    case avx512 = 2
    case neon = 3

    /// The path the kernels take now.
    public static var active: KernelPath { KernelPath(rawValue: distembed_isa_active()) ?? .scalar }

    /// The paths this CPU and build can take, scalar first.
    public static var available: [KernelPath] {
        let current = active
        defer { select(current) }
        return allCases.filter { select($0) }
    }

    /// Makes the kernels take `path`; false (and nothing changes) when this CPU or build lacks it. For tests and
    /// benchmarks that compare paths: not while another thread runs a kernel whose speed matters.
    @discardableResult
    public static func select(_ path: KernelPath) -> Bool {
        distembed_isa_select(path.rawValue) == 0
    }

    public var description: String { String(cString: distembed_isa_name(rawValue)) }

    /// This machine's CPU model (from `/proc/cpuinfo` on Linux) and the kernels' path, for messages that must
    /// name the machine: "Intel(R) Xeon(R) Processor, kernels avx512".
    public static let machine: String = {
        var uts = utsname()
        uname(&uts)
        var model = withUnsafeBytes(of: &uts.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") || $0.hasPrefix("CPU part") }),
           let value = line.split(separator: ":", maxSplits: 1).last
        {
            model = value.trimmingCharacters(in: .whitespaces)
        }
        return "\(model), kernels \(active)"
    }()
}
