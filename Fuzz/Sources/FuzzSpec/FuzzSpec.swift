import FuzzDriver
import Core

/// Any text as a spec: parsing throws a ``SpecError`` or yields a valid spec, whose canonical JSON parses back to
/// the same spec.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    guard let spec = try? ExperimentSpec.parse(json: text) else { return 0 }
    // What the coordinator stores, and parses again when the experiment starts.
    guard let canonical = try? ExperimentSpec.parseCanonical(json: text).json else {
        fatalError("a valid spec has no canonical JSON")
    }
    guard let again = try? ExperimentSpec.parse(json: canonical) else {
        fatalError("the canonical JSON of a valid spec does not parse: \(canonical)")
    }
    precondition(again == spec, "the canonical JSON parses to another spec: \(canonical)")
    return 0
}

/// SwiftPM links an executable with `main` aliased to `FuzzSpec_main`; this hands over to libFuzzer.
@_cdecl("FuzzSpec_main")
public func FuzzSpecMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    runLibFuzzer(argc, argv) { fuzzSpec($0, $1) }
}
