import FuzzDriver
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// One codec for the whole run, as a peer's endpoint keeps one (libFuzzer calls from one thread).
nonisolated(unsafe) let codec = Codec(maxMessageSize: 1 << 20)

/// Any bytes: decoding throws a typed error or yields an envelope; an envelope re-encodes to bytes that decode
/// and re-encode to the same bytes (compared as bytes, so NaN payloads compare too).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCodec(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    guard let envelope = try? codec.decode(bytes) else { return 0 }
    let encoded = codec.encode(envelope)
    guard let again = try? codec.decode(encoded) else {
        fatalError("a decoded envelope re-encodes to bytes that do not decode: \(envelope.message.name)")
    }
    precondition(codec.encode(again) == encoded, "re-encoding is not stable for \(envelope.message.name)")
    return 0
}

/// Seeds the corpus folder named by `FUZZ_SEED_DIR` with the encoding of every example message.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzCodecInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let folder = getenv("FUZZ_SEED_DIR").map({ String(cString: $0) }) else { return 0 }
    for (index, message) in WireMessage.examples.enumerated() {
        let bytes = codec.encode(Envelope(requestId: UInt64(index), message: message))
        let path = "\(folder)/seed-\(index)"
        guard let file = fopen(path, "wb") else { continue }
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
    return 0
}

/// SwiftPM links an executable with `main` aliased to `FuzzCodec_main`; this hands over to libFuzzer.
@_cdecl("FuzzCodec_main")
public func FuzzCodecMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    runLibFuzzer(argc, argv) { fuzzCodec($0, $1) }
}
